using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Redis.Tests.Configuration;

[TestFixture]
public sealed class RedisSessionStoreOptionsBinderTests
{
    private static Func<string, string?> Lookup(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Test]
    public void Bind_SectionKeys_AreRead()
    {
        var options = new RedisSessionStoreOptions();

        RedisSessionStoreOptionsBinder.Bind(options, Lookup(
            ("Dexter:Sessions:Redis:Configuration", "localhost:6390"),
            ("Dexter:Sessions:Redis:KeyPrefix", "env:"),
            ("Dexter:Sessions:Redis:OperationTimeout", "00:00:02")));

        Assert.Multiple(() =>
        {
            Assert.That(options.Configuration, Is.EqualTo("localhost:6390"));
            Assert.That(options.KeyPrefix, Is.EqualTo("env:"));
            Assert.That(options.OperationTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        });
    }

    [Test]
    public void Bind_RedisUrlAsAConfigurationKeyWithoutTheOptIn_MeansNothing()
    {
        var options = new RedisSessionStoreOptions();

        RedisSessionStoreOptionsBinder.Bind(options, Lookup(("REDIS_URL", "http://cache:6379")));

        Assert.That(options.Configuration, Is.Null);
    }

    [Test]
    public void Bind_OptedIn_SectionKeyAndRedisUrl_SectionKeyWins()
    {
        var options = new RedisSessionStoreOptions();

        RedisSessionStoreOptionsBinder.Bind(options, SeedEnvironment.Build(
            [("REDIS_URL", "redis://url:6379/0")], ("Dexter:Sessions:Redis:Configuration", "section:6379")));

        Assert.That(options.Configuration, Is.EqualTo("section:6379"));
    }

    [Test]
    public void Bind_OptedIn_RedisUrl_IsRead()
    {
        var options = new RedisSessionStoreOptions();

        RedisSessionStoreOptionsBinder.Bind(options, SeedEnvironment.Build([("REDIS_URL", "redis://url:6379/0")]));

        Assert.That(options.Configuration, Is.EqualTo("redis://url:6379/0"));
    }

    [Test]
    public void Bind_MalformedTimeSpan_ThrowsNamingTheSetting()
    {
        Assert.That(
            () => RedisSessionStoreOptionsBinder.Bind(new RedisSessionStoreOptions(), Lookup(("Dexter:Sessions:Redis:ConnectTimeout", "soon"))),
            Throws.InvalidOperationException.With.Message.EqualTo(
                "The setting Dexter:Sessions:Redis:ConnectTimeout has the value 'soon', which is not a time span such as 00:00:05 or 1.00:00:00. Correct or remove it."));
    }
}
