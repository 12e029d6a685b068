/// A node that can sit in one `IntrusiveList` at a time (the links live in the node itself).
protocol IntrusiveListNode: AnyObject {
    var listPrev: Self? { get set }
    var listNext: Self? { get set }
    /// Which list holds the node, so removal is exact; 0 = none.
    var listTag: UInt8 { get set }
}

/// A doubly linked list threaded through its nodes: adding and removing a connection allocates nothing and
/// costs two pointers per connection, where a dictionary or array of 100k entries would rehash or copy.
/// Only one event loop touches a given list.
struct IntrusiveList<Node: IntrusiveListNode> {
    let tag: UInt8
    private(set) var head: Node?
    private(set) var count = 0
    /// Where the sweep (`nextForSweep`) goes on next, while a pass is in progress.
    private var cursor: Node?
    private var inPass = false

    init(tag: UInt8) {
        precondition(tag != 0)
        self.tag = tag
    }

    mutating func append(_ node: Node) {
        precondition(node.listTag == 0, "node already in a list")
        node.listTag = tag
        node.listNext = head
        node.listPrev = nil
        head?.listPrev = node
        head = node
        count += 1
    }

    /// Removes `node` if this list holds it; returns whether it did.
    @discardableResult
    mutating func remove(_ node: Node) -> Bool {
        guard node.listTag == tag else { return false }
        if cursor === node { cursor = node.listNext }
        if let p = node.listPrev { p.listNext = node.listNext } else { head = node.listNext }
        node.listNext?.listPrev = node.listPrev
        node.listPrev = nil
        node.listNext = nil
        node.listTag = 0
        count -= 1
        return true
    }

    /// The next node of a sweep that is spread over several turns of the event loop, or nil once per pass
    /// when the pass reaches the tail (the call after that starts again at the head). Call it in a loop that
    /// keeps no access to the list open while it works on the node: removing that node, or any other, is fine.
    /// Nodes added during a pass are reached on the next one.
    mutating func nextForSweep() -> Node? {
        let node = inPass ? cursor : head
        guard let node else {
            inPass = false
            cursor = nil
            return nil
        }
        inPass = true
        cursor = node.listNext
        return node
    }

    /// Calls `body` on every node; `body` may remove the node it is given (the next one is read first).
    func forEach(_ body: (Node) -> Void) {
        var node = head
        while let n = node {
            node = n.listNext
            body(n)
        }
    }
}
