using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Configuration;

public sealed class DexterSessionsOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(DexterSessionsOptions options) => new DexterSessionsOptionsValidator().Validate(null, options);

    [Test]
    public void Validate_Defaults_Succeeds()
    {
        Assert.That(Validate(new DexterSessionsOptions()).Succeeded, Is.True);
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void Validate_MaxContextMessagesBelowOne_FailsNamingTheSettingAndValue(int value)
    {
        var result = Validate(new DexterSessionsOptions { MaxContextMessages = value });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("Dexter:Sessions:MaxContextMessages")
                .And.Contain("DEXTER_MAX_CONTEXT_MESSAGES")
                .And.Contain("it is " + value));
        });
    }

    [TestCase(63)]
    [TestCase(0)]
    public void Validate_MaxContextTokensBelowTheMinimum_FailsNamingTheSettingAndValue(int value)
    {
        var result = Validate(new DexterSessionsOptions { MaxContextTokens = value });

        Assert.That(result.FailureMessage, Does.Contain("Dexter:Sessions:MaxContextTokens").And.Contain("DEXTER_MAX_CONTEXT_TOKENS").And.Contain("it is " + value));
    }

    [Test]
    public void Validate_RollingSummaryMaxTokensBelowTheMinimum_FailsNamingTheSettingAndValue()
    {
        var result = Validate(new DexterSessionsOptions { RollingSummaryMaxTokens = 31 });

        Assert.That(result.FailureMessage, Does.Contain("Dexter:Sessions:RollingSummaryMaxTokens").And.Contain("DEXTER_ROLLING_SUMMARY_MAX_TOKENS").And.Contain("it is 31"));
    }

    [Test]
    public void Validate_SummaryQueueCapacityZero_FailsNamingTheSetting()
    {
        var result = Validate(new DexterSessionsOptions { SummaryQueueCapacity = 0 });

        Assert.That(result.FailureMessage, Does.Contain("Dexter:Sessions:SummaryQueueCapacity must be at least 1; it is 0."));
    }

    [Test]
    public void Validate_NegativeTtl_FailsNamingTheSettingAndValue()
    {
        var result = Validate(new DexterSessionsOptions { SessionTtl = TimeSpan.FromSeconds(-5) });

        Assert.That(result.FailureMessage, Does.Contain("Dexter:Sessions:SessionTtl").And.Contain("DEXTER_SESSION_TTL_SECONDS").And.Contain("-00:00:05"));
    }

    [Test]
    public void Validate_ZeroTtl_Fails()
    {
        Assert.That(Validate(new DexterSessionsOptions { SessionTtl = TimeSpan.Zero }).FailureMessage, Does.Contain("Dexter:Sessions:SessionTtl").And.Contain("must be positive; it is 00:00:00."));
    }

    [Test]
    public void Validate_SummarizerTimeoutNotPositive_FailsNamingTheSetting()
    {
        Assert.That(Validate(new DexterSessionsOptions { SummarizerTimeout = TimeSpan.Zero }).FailureMessage,
            Does.Contain("Dexter:Sessions:SummarizerTimeout must be positive; it is 00:00:00"));
    }

    [Test]
    public void Validate_MaxQueryLengthBelowOne_FailsNamingTheSetting()
    {
        Assert.That(Validate(new DexterSessionsOptions { MaxQueryLength = 0 }).FailureMessage,
            Does.Contain("Dexter:Sessions:MaxQueryLength must be at least 1; it is 0"));
    }

    [Test]
    public void Validate_SeveralBadValues_ReportsEachOne()
    {
        var result = Validate(new DexterSessionsOptions { MaxContextMessages = 0, SessionTtl = TimeSpan.FromHours(-1), MaxQueryLength = -1 });

        Assert.That(result.Failures!.Count(), Is.EqualTo(3));
    }

    [Test]
    public void Validate_NullOptions_Throws()
    {
        Assert.That(() => new DexterSessionsOptionsValidator().Validate(null, null!), Throws.ArgumentNullException);
    }
}
