namespace Dexter.Sessions.Sqlite;

/// <summary>
/// Settings of <see cref="SqliteSessionStore"/>, bound from the configuration section <see cref="SectionName"/>; the
/// <c>DEXTER_SQLITE_PATH</c> environment variable counts where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
public sealed class SqliteSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:Sqlite";

    /// <summary>
    /// The environment variable that names the database file; read only through <c>AddDexterSessionsEnvironmentVariables()</c>,
    /// as <c>Dexter:Sessions:Sqlite:Path</c>.
    /// </summary>
    public const string PathEnvironmentVariable = "DEXTER_SQLITE_PATH";

    /// <summary>The default of <see cref="TablePrefix"/>.</summary>
    public const string DefaultTablePrefix = "dexter_";

    /// <summary>Gets or sets the database file; it is created when missing (its directory must exist).</summary>
    /// <value>The default is <see langword="null"/>. Key <c>Dexter:Sessions:Sqlite:Path</c> (<c>DEXTER_SQLITE_PATH</c> through <c>AddDexterSessionsEnvironmentVariables()</c>).</value>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets the text that starts the name of every table and index of the store, so that several applications can
    /// share one file: <c>{prefix}schema</c>, <c>{prefix}sessions</c>, <c>{prefix}turns</c>.
    /// </summary>
    /// <value>Letters, digits and <c>_</c>, starting with a letter or <c>_</c>, at most 32 characters; the default is <c>dexter_</c>. Key <c>Dexter:Sessions:Sqlite:TablePrefix</c>.</value>
    public string TablePrefix { get; set; } = DefaultTablePrefix;

    /// <summary>
    /// Gets or sets whether the store creates its tables when they are missing and upgrades an older schema. When
    /// <see langword="false"/>, the store creates nothing: apply the DDL of the package README yourself; a missing or older
    /// schema then fails every call with a message that says so.
    /// </summary>
    /// <value>The default is <see langword="true"/>. Key <c>Dexter:Sessions:Sqlite:CreateSchema</c>.</value>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Gets or sets how long a session lives after its last write; every write starts it again.</summary>
    /// <value>
    /// Positive, at least one millisecond; the default is <see cref="DexterSessionsOptions.SessionTtl"/> (24 hours).
    /// Key <c>Dexter:Sessions:Sqlite:SessionTtl</c>.
    /// </value>
    public TimeSpan SessionTtl { get; set; } = new DexterSessionsOptions().SessionTtl;

    /// <summary>
    /// Gets or sets how long one call may wait for the database (for example for a lock another process holds) before it
    /// fails with <see cref="SessionStoreUnavailableException"/>.
    /// </summary>
    /// <value>Between 1 millisecond and 1 hour; the default is 5 seconds. Key <c>Dexter:Sessions:Sqlite:Timeout</c>.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how far a committed write survives a crash.</summary>
    /// <value>The default is <see cref="SqliteDurability.Full"/>: every write survives a power loss. Key <c>Dexter:Sessions:Sqlite:Durability</c> (<c>Full</c> or <c>Normal</c>).</value>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>Gets or sets how often the background service deletes expired sessions.</summary>
    /// <value>Positive; the default is 5 minutes. Key <c>Dexter:Sessions:Sqlite:CleanupInterval</c>.</value>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many expired sessions the background service deletes in one transaction; it runs transactions
    /// until none is left, so that writers wait at most one short transaction.
    /// </summary>
    /// <value>Positive; the default is 100. Key <c>Dexter:Sessions:Sqlite:CleanupBatchSize</c>.</value>
    public int CleanupBatchSize { get; set; } = 100;
}
