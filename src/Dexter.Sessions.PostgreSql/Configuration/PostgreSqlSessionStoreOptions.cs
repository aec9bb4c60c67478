using Npgsql;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// Settings of <see cref="PostgreSqlSessionStore"/>, bound from the configuration section <see cref="SectionName"/>;
/// the <c>DEXTER_POSTGRES_URL</c> environment variable counts where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
/// <remarks>
/// The database is given by, in order of precedence: <see cref="DataSource"/>, an <see cref="NpgsqlDataSource"/> registered in
/// the services, then <see cref="ConnectionString"/>. The store disposes only a data source it built itself from
/// <see cref="ConnectionString"/>.
/// </remarks>
public sealed class PostgreSqlSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:PostgreSql";

    /// <summary>
    /// The environment variable that names the database; read only through
    /// <c>AddDexterSessionsEnvironmentVariables()</c>, as <c>Dexter:Sessions:PostgreSql:ConnectionString</c>.
    /// </summary>
    public const string PostgresUrlEnvironmentVariable = "DEXTER_POSTGRES_URL";

    /// <summary>The default of <see cref="Schema"/>.</summary>
    public const string DefaultSchema = "public";

    /// <summary>The default of <see cref="TablePrefix"/>.</summary>
    public const string DefaultTablePrefix = "dexter_";

    /// <summary>
    /// Gets or sets the database: a URL <c>postgres://user:password@host:port/database</c> (also <c>postgresql://</c>, with
    /// <c>?sslmode=require</c> and the like), or an Npgsql connection string such as <c>Host=localhost;Username=app;Database=app</c>.
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>. Key <c>Dexter:Sessions:PostgreSql:ConnectionString</c> (<c>DEXTER_POSTGRES_URL</c>
    /// through <c>AddDexterSessionsEnvironmentVariables()</c>).
    /// </value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the data source to use; it wins over every other setting. The store never disposes it.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>Gets or sets the PostgreSQL schema that holds the store's tables; it is created when missing (unless <see cref="CreateSchema"/> is off).</summary>
    /// <value>Lower-case letters, digits and <c>_</c>, starting with a letter or <c>_</c>; the default is <c>public</c>. Key <c>Dexter:Sessions:PostgreSql:Schema</c>.</value>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Gets or sets the text that starts the name of every table of the store (<c>{prefix}sessions</c>, <c>{prefix}turns</c>,
    /// <c>{prefix}schema_version</c>), so that several applications can share one schema.
    /// </summary>
    /// <value>Lower-case letters, digits and <c>_</c>, at most 40 characters; the default is <c>dexter_</c>. Key <c>Dexter:Sessions:PostgreSql:TablePrefix</c>.</value>
    public string TablePrefix { get; set; } = DefaultTablePrefix;

    /// <summary>
    /// Gets or sets whether the store creates its tables when they are missing and migrates them forward when they are older
    /// than the package. When off, the store creates nothing: it checks the schema version on first use and fails with a
    /// message that says which DDL to apply (see the package README or <see cref="PostgreSqlSessionStore.GetSchemaScript"/>).
    /// </summary>
    /// <value>The default is <see langword="true"/>. Key <c>Dexter:Sessions:PostgreSql:CreateSchema</c>.</value>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Gets or sets how long a session lives after its last write; every write starts it again.</summary>
    /// <value>
    /// At least one millisecond; the default is <see cref="DexterSessionsOptions.SessionTtl"/> (24 hours).
    /// Key <c>Dexter:Sessions:PostgreSql:SessionTtl</c>.
    /// </value>
    public TimeSpan SessionTtl { get; set; } = new DexterSessionsOptions().SessionTtl;

    /// <summary>Gets or sets how long the store waits for a new connection to the server (a data source it builds itself).</summary>
    /// <value>Positive, rounded up to whole seconds; the default is 5 seconds. Key <c>Dexter:Sessions:PostgreSql:ConnectTimeout</c>.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long one call may take, connecting included, before it fails with <see cref="SessionStoreUnavailableException"/>.
    /// </summary>
    /// <value>Positive; the default is 5 seconds. Key <c>Dexter:Sessions:PostgreSql:OperationTimeout</c>.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how often the background service deletes expired sessions (registered by <c>UsePostgreSql()</c>).</summary>
    /// <value>Positive; the default is 5 minutes. Key <c>Dexter:Sessions:PostgreSql:CleanupInterval</c>.</value>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many expired sessions one cleanup transaction deletes at most; the service repeats batches until
    /// none is left, so each transaction stays short.
    /// </summary>
    /// <value>From 1 to 100,000; the default is 500. Key <c>Dexter:Sessions:PostgreSql:CleanupBatchSize</c>.</value>
    public int CleanupBatchSize { get; set; } = 500;

    /// <summary>Gets whether a database is named, by a data source or a connection string.</summary>
    internal bool HasDatabase => DataSource is not null || !string.IsNullOrWhiteSpace(ConnectionString);
}
