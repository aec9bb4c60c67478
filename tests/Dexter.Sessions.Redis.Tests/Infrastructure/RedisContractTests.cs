using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Redis.Tests.Infrastructure;

/// <summary>The store contract against a Redis deployment named by <see cref="Configuration"/>; time passes on the server too.</summary>
public abstract class RedisContractTests : SessionStoreContractTests
{
    private string _keyPrefix = null!;

    /// <summary>Gets the StackExchange.Redis configuration of the deployment under test.</summary>
    protected abstract string Configuration { get; }

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        var options = RedisStores.Options(Configuration, o => o.SessionTtl = SessionTtl);
        _keyPrefix = options.KeyPrefix;
        return Task.FromResult<ISessionStore>(new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(options), Clock));
    }

    protected override async Task AdvanceTimeAsync(TimeSpan time)
    {
        await base.AdvanceTimeAsync(time);
        await RedisClock.AdvanceAsync(Configuration, _keyPrefix, time);
    }
}
