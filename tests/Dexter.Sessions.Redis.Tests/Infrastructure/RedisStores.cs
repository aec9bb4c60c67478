using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Redis.Tests.Infrastructure;

/// <summary>Makes stores for tests, each with its own key prefix so that tests sharing a server do not meet.</summary>
internal static class RedisStores
{
    public static RedisSessionStoreOptions Options(string configuration, Action<RedisSessionStoreOptions>? configure = null)
    {
        var options = new RedisSessionStoreOptions
        {
            Configuration = configuration,
            KeyPrefix = "test:" + Guid.NewGuid().ToString("N")[..12] + ":",
            ConnectTimeout = TimeSpan.FromSeconds(2),
            OperationTimeout = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(options);
        return options;
    }

    public static RedisSessionStore Create(string configuration, Action<RedisSessionStoreOptions>? configure = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(configuration, configure)));
}
