namespace Dexter.Sessions.PostgreSql.Tests.Configuration;

[TestFixture]
public sealed class PostgreSqlSessionStoreOptionsValidatorTests
{
    private static string? Validate(Action<PostgreSqlSessionStoreOptions> change)
    {
        var options = new PostgreSqlSessionStoreOptions { ConnectionString = "postgres://localhost/db" };
        change(options);
        var result = new PostgreSqlSessionStoreOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Test]
    public void Validate_Defaults_Succeed()
    {
        Assert.That(Validate(_ => { }), Is.Null);
    }

    [TestCase("Schema", "Dexter:Sessions:PostgreSql:Schema must be a lower-case PostgreSQL name")]
    [TestCase("TablePrefix", "Dexter:Sessions:PostgreSql:TablePrefix must be lower-case letters")]
    [TestCase("SessionTtl", "Dexter:Sessions:PostgreSql:SessionTtl must be at least one millisecond")]
    [TestCase("OperationTimeout", "Dexter:Sessions:PostgreSql:OperationTimeout must be positive")]
    [TestCase("ConnectTimeout", "Dexter:Sessions:PostgreSql:ConnectTimeout must be positive")]
    [TestCase("CleanupInterval", "Dexter:Sessions:PostgreSql:CleanupInterval must be positive")]
    [TestCase("CleanupBatchSize", "Dexter:Sessions:PostgreSql:CleanupBatchSize must be from 1 to 100000; it is 0.")]
    [TestCase("ConnectionString", "DEXTER_POSTGRES_URL")]
    public void Validate_BadValue_FailsNamingTheSetting(string setting, string message)
    {
        var failure = Validate(o =>
        {
            switch (setting)
            {
                case "Schema": o.Schema = "Public; DROP"; break;
                case "TablePrefix": o.TablePrefix = new string('a', 41); break;
                case "SessionTtl": o.SessionTtl = TimeSpan.Zero; break;
                case "OperationTimeout": o.OperationTimeout = TimeSpan.Zero; break;
                case "ConnectTimeout": o.ConnectTimeout = TimeSpan.FromSeconds(-1); break;
                case "CleanupInterval": o.CleanupInterval = TimeSpan.Zero; break;
                case "CleanupBatchSize": o.CleanupBatchSize = 0; break;
                case "ConnectionString": o.ConnectionString = "http://x"; break;
            }
        });

        Assert.That(failure, Does.Contain(message));
    }

    [Test]
    public void Validate_EmptyTablePrefix_IsAllowed()
    {
        Assert.That(Validate(o => o.TablePrefix = string.Empty), Is.Null);
    }
}
