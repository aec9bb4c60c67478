namespace Dexter.Sessions;

/// <summary>
/// The environment variable names (<c>DEXTER_*</c>, <c>REDIS_URL</c>, …) and the <c>Dexter:Sessions</c> configuration keys they stand for.
/// They are read only where the application opts in with
/// <c>configuration.AddDexterSessionsEnvironmentVariables()</c>; the libraries never read the process environment.
/// </summary>
public static class DexterSessionsEnvironmentVariables
{
    /// <summary>Gets each environment variable name (ordinal, as the operating system spells it) with its configuration key.</summary>
    /// <value>
    /// <c>REDIS_URL</c>, <c>DEXTER_SUMMARIZE_LLM</c>, <c>DEXTER_USE_EMBEDDINGS</c>, <c>DEXTER_MAX_CONTEXT_MESSAGES</c>,
    /// <c>DEXTER_MAX_CONTEXT_TOKENS</c>, <c>DEXTER_SESSION_TTL_SECONDS</c>, <c>DEXTER_ENCRYPT_AT_REST</c>, <c>DEXTER_ROLLING_SUMMARY</c>,
    /// <c>DEXTER_ROLLING_SUMMARY_MAX_TOKENS</c>, <c>DEXTER_RECORD_INTERRUPTED_TURNS</c>, <c>JWT_SECRET</c>,
    /// <c>BACKEND_API_KEY</c>, <c>SECURE_COOKIES</c>, <c>DEXTER_RATE_LIMIT_PER_MINUTE</c>, <c>DEXTER_POSTGRES_URL</c> and
    /// <c>DEXTER_SQLITE_PATH</c>.
    /// </value>
    public static IReadOnlyDictionary<string, string> ConfigurationKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["REDIS_URL"] = "Dexter:Sessions:Redis:Configuration",
        ["DEXTER_SUMMARIZE_LLM"] = "Dexter:Sessions:SummarizeWithLlm",
        ["DEXTER_USE_EMBEDDINGS"] = "Dexter:Sessions:UseEmbeddings",
        ["DEXTER_MAX_CONTEXT_MESSAGES"] = "Dexter:Sessions:MaxContextMessages",
        ["DEXTER_MAX_CONTEXT_TOKENS"] = "Dexter:Sessions:MaxContextTokens",
        ["DEXTER_SESSION_TTL_SECONDS"] = "Dexter:Sessions:SessionTtlSeconds",
        ["DEXTER_ENCRYPT_AT_REST"] = "Dexter:Sessions:EncryptAtRest",
        ["DEXTER_ROLLING_SUMMARY"] = "Dexter:Sessions:RollingSummary",
        ["DEXTER_ROLLING_SUMMARY_MAX_TOKENS"] = "Dexter:Sessions:RollingSummaryMaxTokens",
        ["DEXTER_RECORD_INTERRUPTED_TURNS"] = "Dexter:Sessions:RecordInterruptedTurns",
        ["JWT_SECRET"] = "Dexter:Sessions:Endpoints:JwtSecret",
        ["BACKEND_API_KEY"] = "Dexter:Sessions:Endpoints:ApiKey",
        ["SECURE_COOKIES"] = "Dexter:Sessions:Endpoints:SecureCookies",
        ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "Dexter:Sessions:RateLimit:PermitsPerMinute",
        ["DEXTER_POSTGRES_URL"] = "Dexter:Sessions:PostgreSql:ConnectionString",
        ["DEXTER_SQLITE_PATH"] = "Dexter:Sessions:Sqlite:Path",
    };

    /// <summary>Gets the environment variable name that stands for a configuration key, if there is one.</summary>
    /// <param name="configurationKey">A key such as <c>Dexter:Sessions:Redis:Configuration</c>; compared ignoring case.</param>
    /// <returns>The variable name, such as <c>REDIS_URL</c>, or <see langword="null"/>.</returns>
    public static string? NameFor(string configurationKey)
    {
        ArgumentNullException.ThrowIfNull(configurationKey);
        foreach (var (name, key) in ConfigurationKeys)
        {
            if (string.Equals(key, configurationKey, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }
}
