using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <summary>
/// Settings of <see cref="RedisSessionStore"/>, bound from the configuration section <see cref="SectionName"/>;
/// the <c>REDIS_URL</c> environment variable counts where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
/// <remarks>
/// <para>
/// The server is given by, in order of precedence: <see cref="ConnectionMultiplexerFactory"/>, an
/// <see cref="IConnectionMultiplexer"/> registered in the services, <see cref="ConfigurationOptions"/>, then
/// <see cref="Configuration"/>. A store closes only a connection it opened itself from <see cref="ConfigurationOptions"/>
/// or <see cref="Configuration"/>; a connection from a factory or from the services belongs to the application.
/// </para>
/// <para>
/// A connection the store opens never aborts when the server is down (<c>AbortOnConnectFail=false</c>): calls fail with
/// <see cref="SessionStoreUnavailableException"/> within <see cref="OperationTimeout"/>, and the same store works again as
/// soon as the server is back.
/// </para>
/// </remarks>
public sealed class RedisSessionStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:Redis";

    /// <summary>
    /// The environment variable that names the Redis server; read only through
    /// <c>AddDexterSessionsEnvironmentVariables()</c>, as <c>Dexter:Sessions:Redis:Configuration</c>.
    /// </summary>
    public const string RedisUrlEnvironmentVariable = "REDIS_URL";

    /// <summary>The default of <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "dexter:session:";

    /// <summary>
    /// Gets or sets the Redis server: a URL <c>redis://[user:password@]host:port/db</c> (<c>rediss://</c> for TLS), or a
    /// StackExchange.Redis configuration string such as <c>localhost:6379,password=secret</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>. Key <c>Dexter:Sessions:Redis:Configuration</c> (<c>REDIS_URL</c> through <c>AddDexterSessionsEnvironmentVariables()</c>).</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the StackExchange.Redis configuration; it wins over <see cref="Configuration"/>. The store works on a copy.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>
    /// Gets or sets a factory that gives the connection to use; it wins over every other setting. The store does not close
    /// the connection it returns.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// Gets or sets the text that starts every key of the store, so that several applications can share one database.
    /// The keys of a session are <c>{prefix}{sessionId}:meta</c> and <c>{prefix}{sessionId}:turns</c>.
    /// </summary>
    /// <value>Without <c>{</c> or <c>}</c>; the default is <c>dexter:session:</c>. Key <c>Dexter:Sessions:Redis:KeyPrefix</c>.</value>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>Gets or sets how long a session lives after its last write; every write starts it again.</summary>
    /// <value>
    /// Positive, whole milliseconds; the default is <see cref="DexterSessionsOptions.SessionTtl"/> (24 hours).
    /// Key <c>Dexter:Sessions:Redis:SessionTtl</c>.
    /// </value>
    public TimeSpan SessionTtl { get; set; } = new DexterSessionsOptions().SessionTtl;

    /// <summary>Gets or sets how long the store waits for a connection to the server when it opens one.</summary>
    /// <value>
    /// Positive; the default is <see langword="null"/>: the value of the configuration, 5 seconds unless it says otherwise.
    /// Key <c>Dexter:Sessions:Redis:ConnectTimeout</c>.
    /// </value>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>
    /// Gets or sets how long one call may wait for the server before it fails with <see cref="SessionStoreUnavailableException"/>.
    /// </summary>
    /// <value>
    /// Positive; the default is <see langword="null"/>: the value of the configuration, 5 seconds unless it says otherwise.
    /// Key <c>Dexter:Sessions:Redis:OperationTimeout</c>.
    /// </value>
    public TimeSpan? OperationTimeout { get; set; }

    /// <summary>Gets whether a server is named, by a factory, configuration options or a configuration string.</summary>
    internal bool HasServer =>
        ConnectionMultiplexerFactory is not null || ConfigurationOptions is not null || !string.IsNullOrWhiteSpace(Configuration);
}
