using Dexter.Sessions.Tests.TestSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Encryption;

public sealed class EncryptionAtRestBuilderExtensionsTests
{
    private static ServiceCollection Services(Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        return services;
    }

    private static async Task<ISessionStore> AssertEncryptsAsync(ServiceProvider provider)
    {
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, new Message { Query = "secret query", Answer = "secret answer" });
        var inner = store.GetService<InMemorySessionStore>()!;

        Assert.Multiple(async () =>
        {
            Assert.That(store, Is.InstanceOf<EncryptingSessionStore>());
            var stored = (await inner.GetRecentAsync(id, 1)).Single();
            Assert.That((stored.Query, stored.SealedContent.IsEmpty), Is.EqualTo((string.Empty, false)), "the content is sealed");
            Assert.That((await store.GetRecentAsync(id, 1)).Single().Query, Is.EqualTo("secret query"));
        });
        return store;
    }

    [Test]
    public async Task UseEncryptionAtRest_DefaultStore_WrapsTheInMemoryStore()
    {
        var services = Services();
        var returned = services.AddDexterSessions().UseEncryptionAtRest();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = await AssertEncryptsAsync(provider);

        Assert.Multiple(() =>
        {
            Assert.That(returned.Services, Is.SameAs(services));
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<SessionTurnPipeline>(), Is.Not.Null);
        });
    }

    [Test]
    public async Task UseEncryptionAtRest_BeforeUseSessionStore_WrapsTheStore()
    {
        var services = Services();
        services.AddDexterSessions().UseEncryptionAtRest().UseSessionStore<StubSessionStore>();
        await using var provider = services.BuildServiceProvider();

        var store = await AssertEncryptsAsync(provider);

        Assert.That(store.GetService<StubSessionStore>(), Is.Not.Null);
    }

    [Test]
    public async Task UseEncryptionAtRest_AfterUseSessionStore_WrapsTheStore()
    {
        var services = Services();
        services.AddDexterSessions().UseSessionStore<StubSessionStore>().UseEncryptionAtRest();
        await using var provider = services.BuildServiceProvider();

        var store = await AssertEncryptsAsync(provider);

        Assert.That(store.GetService<StubSessionStore>(), Is.Not.Null);
    }

    [Test]
    public async Task UseEncryptionAtRest_BeforeAStoreFactory_WrapsTheStore()
    {
        var services = Services();
        var own = new InMemorySessionStore();
        services.AddDexterSessions().UseEncryptionAtRest().UseSessionStore(_ => own);
        await using var provider = services.BuildServiceProvider();

        var store = await AssertEncryptsAsync(provider);

        Assert.That(store.GetService<InMemorySessionStore>(), Is.SameAs(own));
    }

    [Test]
    public async Task UseEncryptionAtRest_StoreAddedDirectlyBefore_WrapsIt()
    {
        var services = Services();
        services.AddSingleton<ISessionStore, StubSessionStore>();
        services.AddDexterSessions().UseEncryptionAtRest();
        await using var provider = services.BuildServiceProvider();

        var store = await AssertEncryptsAsync(provider);

        Assert.That(store.GetService<StubSessionStore>(), Is.Not.Null);
    }

    [Test]
    public async Task UseEncryptionAtRest_StoreAddedDirectlyAfter_FailsAtStart()
    {
        var services = Services();
        services.AddDexterSessions().UseEncryptionAtRest();
        services.AddSingleton<ISessionStore, StubSessionStore>();
        await using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(e!.Message, Does.Contain("Register it with builder.UseSessionStore(...), or before UseEncryptionAtRest()"));
    }

    [Test]
    public async Task UseEncryptionAtRest_CalledTwiceAndConfigured_WrapsOnceWithTheOptions()
    {
        var services = Services();
        services.AddDexterSessions()
            .UseEncryptionAtRest(o => o.EncryptEmbeddings = false)
            .UseEncryptionAtRest(o => o.Purpose = "My.App");
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, new Message { Query = "q", Answer = "a", Embedding = new[] { 1f, 2f } });
        var inner = store.GetService<InMemorySessionStore>()!;
        var options = provider.GetRequiredService<IOptions<EncryptionAtRestOptions>>().Value;
        using var once = new EncryptingSessionStore(inner, provider.GetRequiredService<IDataProtectionProvider>(), options);

        Assert.Multiple(async () =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(SessionStoreDecorator)), Is.EqualTo(1));
            Assert.That((await once.GetRecentAsync(id, 1)).Single().Query, Is.EqualTo("q"), "the store is encrypted once");
            Assert.That(options.EncryptEmbeddings, Is.False);
            Assert.That(options.Purpose, Is.EqualTo("My.App"));
            Assert.That((await inner.GetRecentAsync(id, 1)).Single().Embedding.ToArray(), Is.EqualTo(new[] { 1f, 2f }));
        });
    }

    [Test]
    public void UseEncryptionAtRest_NoDataProtection_FailsWithWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEncryptionAtRest();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionStore>());

        Assert.That(e!.Message, Does.Contain("call services.AddDataProtection()"));
    }

    [TestCase("true", true)]
    [TestCase("false", false)]
    [TestCase(null, false)]
    public async Task UseEncryptionAtRestWhenConfigured_FollowsTheSetting(string? setting, bool encrypted)
    {
        var services = Services(new() { ["Dexter:Sessions:EncryptAtRest"] = setting });
        services.AddDexterSessions().UseEncryptionAtRestWhenConfigured();
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.EncryptAtRest, Is.EqualTo(encrypted));
            Assert.That(store is EncryptingSessionStore, Is.EqualTo(encrypted));
            Assert.That(store.GetService<InMemorySessionStore>(), Is.Not.Null);
        });
    }

    [Test]
    public void UseEncryptionAtRestWhenConfigured_Off_NeedsNoDataProtection()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEncryptionAtRestWhenConfigured();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<InMemorySessionStore>());
    }

    [Test]
    public void UseEncryptionAtRestWhenConfigured_BadSetting_FailsNamingIt()
    {
        var services = Services(new() { ["Dexter:Sessions:EncryptAtRest"] = "perhaps" });
        services.AddDexterSessions().UseEncryptionAtRestWhenConfigured();
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<ISessionStore>(), Throws.Exception.With.Message.Contains("Dexter:Sessions:EncryptAtRest"));
    }

    [Test]
    public async Task UseEncryptionAtRestWhenConfigured_ThenUseEncryptionAtRest_AlwaysEncrypts()
    {
        var services = Services();
        services.AddDexterSessions().UseEncryptionAtRestWhenConfigured().UseEncryptionAtRest();
        await using var provider = services.BuildServiceProvider();

        await AssertEncryptsAsync(provider);
    }

    [Test]
    public async Task DisposingTheProvider_DisposesTheWrappedStore()
    {
        var services = Services();
        var own = new DisposalRecordingStore();
        services.AddDexterSessions().UseEncryptionAtRest().UseSessionStore(_ => own);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ISessionStore>().CreateAsync(SessionId.New());

        await provider.DisposeAsync();

        Assert.That(own.Disposed, Is.True);
    }

    [Test]
    public void NullBuilder_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => EncryptionAtRestBuilderExtensions.UseEncryptionAtRest(null!), Throws.ArgumentNullException);
            Assert.That(() => EncryptionAtRestBuilderExtensions.UseEncryptionAtRestWhenConfigured(null!), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsBuilderExtensions.UseSessionStore(null!, _ => new InMemorySessionStore()), Throws.ArgumentNullException);
            Assert.That(() => new ServiceCollection().AddDexterSessions().UseSessionStore((Func<IServiceProvider, ISessionStore>)null!), Throws.ArgumentNullException);
        });
    }

    private sealed class DisposalRecordingStore() : DelegatingSessionStore(new InMemorySessionStore(), disposeInner: true)
    {
        public bool Disposed { get; private set; }

        protected override ValueTask DisposeAsyncCore()
        {
            Disposed = true;
            return base.DisposeAsyncCore();
        }
    }
}
