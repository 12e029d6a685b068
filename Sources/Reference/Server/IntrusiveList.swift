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
        if let p = node.listPrev { p.listNext = node.listNext } else { head = node.listNext }
        node.listNext?.listPrev = node.listPrev
        node.listPrev = nil
        node.listNext = nil
        node.listTag = 0
        count -= 1
        return true
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
