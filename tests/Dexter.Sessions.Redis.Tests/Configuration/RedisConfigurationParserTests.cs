using System.Net;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests.Configuration;

[TestFixture]
public sealed class RedisConfigurationParserTests
{
    private const string Setting = "REDIS_URL";

    [Test]
    public void Parse_RedisUrlWithHostPortAndDatabase_SetsEndpointAndDatabase()
    {
        var options = RedisConfigurationParser.Parse("redis://cache.internal:6380/3", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("cache.internal", 6380)));
            Assert.That(options.DefaultDatabase, Is.EqualTo(3));
            Assert.That(options.Ssl, Is.False);
            Assert.That(options.User, Is.Null);
            Assert.That(options.Password, Is.Null);
            Assert.That(options.AbortOnConnectFail, Is.False);
        });
    }

    [Test]
    public void Parse_RedisUrlWithoutPortOrDatabase_UsesPort6379AndNoDatabase()
    {
        var options = RedisConfigurationParser.Parse("redis://localhost", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("localhost", 6379)));
            Assert.That(options.DefaultDatabase, Is.Null);
        });
    }

    [Test]
    public void Parse_RedisUrlWithUserAndPassword_SetsBothDecoded()
    {
        var options = RedisConfigurationParser.Parse("redis://app%40team:p%40ss%3Aw0rd@10.0.0.5:6379/0", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.User, Is.EqualTo("app@team"));
            Assert.That(options.Password, Is.EqualTo("p@ss:w0rd"));
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 6379)).Or.EqualTo(new DnsEndPoint("10.0.0.5", 6379)));
            Assert.That(options.DefaultDatabase, Is.Zero);
        });
    }

    [Test]
    public void Parse_RedisUrlWithPasswordOnly_SetsPasswordWithoutUser()
    {
        var options = RedisConfigurationParser.Parse("redis://:secret@localhost:6379", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.User, Is.Null);
            Assert.That(options.Password, Is.EqualTo("secret"));
        });
    }

    [Test]
    public void Parse_RedissUrl_TurnsOnTlsWithTheHostAsServerName()
    {
        var options = RedisConfigurationParser.Parse("rediss://user:pw@redis.example.com:6380", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.SslHost, Is.EqualTo("redis.example.com"));
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("redis.example.com", 6380)));
        });
    }

    [Test]
    public void Parse_RedisUrlWithIpv6Host_SetsTheAddress()
    {
        var options = RedisConfigurationParser.Parse("redis://[::1]:6390", Setting);

        Assert.That(options.EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 6390)));
    }

    [Test]
    public void Parse_UppercaseScheme_IsAccepted()
    {
        Assert.That(RedisConfigurationParser.Parse("REDIS://localhost:6379", Setting).EndPoints, Has.Count.EqualTo(1));
    }

    [Test]
    public void Parse_StackExchangeConfigurationString_IsUsedAsIs()
    {
        var options = RedisConfigurationParser.Parse("localhost:6379,127.0.0.1:6380,password=pw,ssl=true,defaultDatabase=2", Setting);

        Assert.Multiple(() =>
        {
            Assert.That(options.EndPoints, Has.Count.EqualTo(2));
            Assert.That(options.Password, Is.EqualTo("pw"));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.DefaultDatabase, Is.EqualTo(2));
            Assert.That(options.AbortOnConnectFail, Is.False);
        });
    }

    [TestCase("redis://localhost:6379/zero", "database")]
    [TestCase("redis://localhost:6379/0?ssl=true", "query")]
    [TestCase("redis://localhost:notaport", "valid URL")]
    [TestCase("redis://", "valid URL")]
    [TestCase("http://localhost:6379", "scheme 'http'")]
    [TestCase("   ", "empty")]
    [TestCase("ssl=true,password=pw", "names no server")]
    [TestCase("localhost:6379,connectTimeout=soon", "connectTimeout")]
    public void Parse_InvalidValue_ThrowsFormatExceptionNamingTheSettingAndTheFix(string value, string reason)
    {
        Assert.That(() => RedisConfigurationParser.Parse(value, Setting),
            Throws.InstanceOf<FormatException>()
                .With.Message.StartsWith("The setting REDIS_URL has the value")
                .And.Message.Contains(reason)
                .And.Message.Contains("redis://[user:password@]host:port/db"));
    }

    [Test]
    public void Parse_InvalidUrlWithPassword_DoesNotShowThePassword()
    {
        Assert.That(() => RedisConfigurationParser.Parse("redis://user:hunter2@localhost:6379/x", Setting),
            Throws.InstanceOf<FormatException>().With.Message.Not.Contains("hunter2").And.Message.Contains("user:***@localhost"));
    }

    [TestCase("redis://u:secret@host:1/0", "redis://u:***@host:1/0")]
    [TestCase("host:1,password=secret,ssl=true", "host:1,password=***,ssl=true")]
    [TestCase("redis://host:1", "redis://host:1")]
    public void Redact_HidesPasswords(string value, string expected)
    {
        Assert.That(RedisConfigurationParser.Redact(value), Is.EqualTo(expected));
    }
}
