import Foundation

/// What a path under the root is, from stat(2) (symlinks followed, as a read would): the (device, inode) pair
/// that names a file however it is reached, whether it is a regular file, and its size.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var isRegularFile: Bool
    public var isDirectory: Bool
    public var sizeBytes: Int64

    public init(device: UInt64, inode: UInt64, isRegularFile: Bool, isDirectory: Bool, sizeBytes: Int64) {
        self.device = device
        self.inode = inode
        self.isRegularFile = isRegularFile
        self.isDirectory = isDirectory
        self.sizeBytes = sizeBytes
    }
}

extension HostRoot {
    /// stat(2) of `relative` under the root; nil when it does not exist or cannot be stat'ed.
    public func identity(_ relative: String) -> FileIdentity? {
        var st = stat()
        guard stat(resolve(relative), &st) == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return FileIdentity(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), isRegularFile: type == S_IFREG,
            isDirectory: type == S_IFDIR, sizeBytes: Int64(st.st_size))
    }
}
