using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Redis.Tests.Configuration;

/// <summary>How <c>UseRedis()</c> and <c>UseRedisWhenConfigured()</c> bind <see cref="RedisSessionStoreOptions"/>.</summary>
[TestFixture]
public sealed class RedisSessionStoreOptionsBindingTests
{
    private static RedisSessionStoreOptions Bind(IConfiguration configuration) =>
        SeedEnvironment.Options<RedisSessionStoreOptions>(configuration, static services => services.AddDexterSessions().UseRedisWhenConfigured());

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Test]
    public void Bind_SectionKeys_AreRead()
    {
        var options = Bind(Settings(
            ("Dexter:Sessions:Redis:Configuration", " localhost:6390 "),
            ("Dexter:Sessions:Redis:KeyPrefix", "env:"),
            ("Dexter:Sessions:Redis:SessionTtl", "01:00:00"),
            ("Dexter:Sessions:Redis:ConnectTimeout", "00:00:03"),
            ("Dexter:Sessions:Redis:OperationTimeout", "00:00:02")));

        Assert.Multiple(() =>
        {
            Assert.That(options.Configuration, Is.EqualTo("localhost:6390"));
            Assert.That(options.KeyPrefix, Is.EqualTo("env:"));
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.OperationTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        });
    }

    [Test]
    public void Bind_SessionTtl_DefaultsToTheSessionsTtl()
    {
        var options = Bind(Settings(("Dexter:Sessions:SessionTtlSeconds", "90")));

        Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void Bind_RedisUrlAsAConfigurationKeyWithoutTheOptIn_MeansNothing()
    {
        var options = Bind(Settings(("REDIS_URL", "http://cache:6379")));

        Assert.That(options.Configuration, Is.Null);
    }

    [Test]
    public void Bind_OptedIn_SectionKeyAndRedisUrl_SectionKeyWins()
    {
        var options = Bind(SeedEnvironment.Build([("REDIS_URL", "redis://url:6379/0")], ("Dexter:Sessions:Redis:Configuration", "section:6379")));

        Assert.That(options.Configuration, Is.EqualTo("section:6379"));
    }

    [Test]
    public void Bind_OptedIn_RedisUrl_IsRead()
    {
        var options = Bind(SeedEnvironment.Build([("REDIS_URL", "redis://url:6379/0")]));

        Assert.That(options.Configuration, Is.EqualTo("redis://url:6379/0"));
    }

    [Test]
    public void Bind_MalformedTimeSpan_ThrowsNamingTheSetting()
    {
        Assert.That(
            () => Bind(Settings(("Dexter:Sessions:Redis:ConnectTimeout", "soon"))),
            Throws.InvalidOperationException.With.Message.EqualTo(
                "The setting Dexter:Sessions:Redis:ConnectTimeout has the value 'soon', which is not a time span such as 00:00:05 or 1.00:00:00. Correct or remove it."));
    }

    [Test]
    public void Bind_MalformedServer_ThrowsNamingTheSettingWithThePasswordHidden()
    {
        Assert.That(
            () => Bind(SeedEnvironment.Build([("REDIS_URL", "redis://user:hunter2@localhost:6379/db-one")])),
            Throws.InstanceOf<FormatException>().With.Message.StartsWith("The setting Dexter:Sessions:Redis:Configuration (REDIS_URL) has the value")
                .And.Message.Not.Contains("hunter2"));
    }
}
