namespace Dexter.Sessions.Sqlite;

/// <summary>How far a committed turn survives a crash: SQLite's <c>synchronous</c> setting in WAL mode.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// Every commit is flushed to disk (<c>PRAGMA synchronous=FULL</c>): an acknowledged write survives a crash of the
    /// process and a power loss. Each write waits for one flush of the disk.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Commits are flushed at checkpoints (<c>PRAGMA synchronous=NORMAL</c>): an acknowledged write survives a crash or
    /// <c>kill -9</c> of the process, but a power loss or operating system crash may lose the latest writes. Writes are faster.
    /// </summary>
    Normal = 1,
}
