using Npgsql;

namespace Dexter.Sessions.PostgreSql.Tests.Configuration;

[TestFixture]
public sealed class PostgreSqlConnectionStringParserTests
{
    [Test]
    public void Parse_FullUrl_TakesEveryPart()
    {
        var builder = PostgreSqlConnectionStringParser.Parse("postgres://app:p%40ss%3Aword@db.example.com:6543/sessions?sslmode=require");

        Assert.Multiple(() =>
        {
            Assert.That(builder.Host, Is.EqualTo("db.example.com"));
            Assert.That(builder.Port, Is.EqualTo(6543));
            Assert.That(builder.Username, Is.EqualTo("app"));
            Assert.That(builder.Password, Is.EqualTo("p@ss:word"));
            Assert.That(builder.Database, Is.EqualTo("sessions"));
            Assert.That(builder.SslMode, Is.EqualTo(SslMode.Require));
        });
    }

    [TestCase("postgresql://localhost/app", "localhost", 5432, "app")]
    [TestCase("POSTGRES://user@127.0.0.1", "127.0.0.1", 5432, null)]
    [TestCase("postgres://[::1]:5433/db", "::1", 5433, "db")]
    public void Parse_ShortUrls_UseTheDefaults(string url, string host, int port, string? database)
    {
        var builder = PostgreSqlConnectionStringParser.Parse(url);

        Assert.Multiple(() =>
        {
            Assert.That(builder.Host, Is.EqualTo(host));
            Assert.That(builder.Port, Is.EqualTo(port));
            Assert.That(builder.Database, Is.EqualTo(database));
        });
    }

    [TestCase("verify-full", SslMode.VerifyFull)]
    [TestCase("disable", SslMode.Disable)]
    [TestCase("prefer", SslMode.Prefer)]
    public void Parse_SslMode_IsMapped(string mode, SslMode expected)
    {
        Assert.That(PostgreSqlConnectionStringParser.Parse($"postgres://h/db?sslmode={mode}&application_name=dexter").SslMode, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_NpgsqlConnectionString_IsTakenAsIs()
    {
        var builder = PostgreSqlConnectionStringParser.Parse("Host=pg;Port=5444;Username=u;Password=secret;Database=d;Maximum Pool Size=7");

        Assert.Multiple(() =>
        {
            Assert.That(builder.Host, Is.EqualTo("pg"));
            Assert.That(builder.Port, Is.EqualTo(5444));
            Assert.That(builder.MaxPoolSize, Is.EqualTo(7));
        });
    }

    [TestCase("mysql://user:hunter2@host/db", "the scheme 'mysql' is not supported")]
    [TestCase("postgres://user:hunter2@host/db?sslmode=sometimes", "sslmode 'sometimes'")]
    [TestCase("postgres://user:hunter2@host/db?pool=3", "the parameter 'pool' is not supported")]
    [TestCase("postgres://user:hunter2@host/a/b", "one database name")]
    [TestCase("Host=h;Password=hunter2;Bogus Keyword=1", "neither a postgres:// URL nor an Npgsql connection string")]
    [TestCase("Username=u;Password=hunter2", "it names no host")]
    public void Parse_Malformed_FailsNamingTheSettingWithThePasswordHidden(string value, string reason)
    {
        Assert.That(() => PostgreSqlConnectionStringParser.Parse(value), Throws.TypeOf<FormatException>()
            .With.Message.StartsWith("The setting Dexter:Sessions:PostgreSql:ConnectionString (DEXTER_POSTGRES_URL) has the value '")
            .And.Message.Contains(reason)
            .And.Message.Not.Contains("hunter2"));
    }

    [TestCase("postgres://u:hunter2@h/db", "postgres://u:***@h/db")]
    [TestCase("Host=h;Password=hunter2;Database=d", "Host=h;Password=***;Database=d")]
    [TestCase("host=h; pwd = hunter2", "host=h; pwd = ***")]
    public void Redact_HidesThePassword(string value, string expected)
    {
        Assert.That(PostgreSqlConnectionStringParser.Redact(value), Is.EqualTo(expected));
    }
}
