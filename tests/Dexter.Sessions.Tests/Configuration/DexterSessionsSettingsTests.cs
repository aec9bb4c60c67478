using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Tests.Configuration;

public sealed class DexterSessionsSettingsTests
{
    private static ServiceProvider Services(params (string Key, string? Value)[] settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
                .Build())
            .BuildServiceProvider();

    [Test]
    public void GetSection_NoConfigurationRegistered_ReturnsNull()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();

        Assert.That(DexterSessionsSettings.GetSection<Settings>(provider, "Test"), Is.Null);
    }

    [Test]
    public void GetSection_GivesTheOptionsSettingsOnly_UnderTheirPropertyNames_Checked()
    {
        using var provider = Services(
            ("Test:count", " 12 "),
            ("Test:Enabled", "Yes"),
            ("Test:Mode", "second"),
            ("Test:Delay", "00:00:05"),
            ("Test:Name", "  n  "),
            ("Test:Blank", "   "),
            ("Test:Unknown", "x"),
            ("Test:Nested:Count", "3"));

        var section = DexterSessionsSettings.GetSection<Settings>(provider, "Test")!;

        Assert.Multiple(() =>
        {
            Assert.That(section.GetChildren().Select(c => (c.Key, c.Path, c.Value)), Is.EquivalentTo(new[]
            {
                ("Count", "Test:Count", "12"),
                ("Enabled", "Test:Enabled", "true"),
                ("Mode", "Test:Mode", "Second"),
                ("Delay", "Test:Delay", "00:00:05"),
                ("Name", "Test:Name", "n"),
            }));
            Assert.That(section["count"], Is.EqualTo("12"), "keys ignore case, as configuration keys do");
            Assert.That(section["Unknown"], Is.Null);
            Assert.That(section.GetSection("Nested").GetChildren(), Is.Empty);
            Assert.That(() => section["Count"] = "1", Throws.InstanceOf<NotSupportedException>());
        });
    }

    [Test]
    public void GetSection_BoundIntoOptions_SetsWhatIsGivenAndLeavesTheRest()
    {
        using var provider = Services(("Test:Count", "4"), ("Test:Enabled", "off"));
        var settings = new Settings { Enabled = true, Name = "kept", Delay = TimeSpan.FromSeconds(1) };

        DexterSessionsSettings.GetSection<Settings>(provider, "Test")!.Bind(settings);

        Assert.Multiple(() =>
        {
            Assert.That(settings.Count, Is.EqualTo(4));
            Assert.That(settings.Enabled, Is.False);
            Assert.That(settings.Name, Is.EqualTo("kept"));
            Assert.That(settings.Delay, Is.EqualTo(TimeSpan.FromSeconds(1)));
        });
    }

    [TestCase("Count", "1.5", "a whole number")]
    [TestCase("Count", "3000000000", "a whole number")]
    [TestCase("Total", "1e3", "a whole number")]
    [TestCase("Enabled", "enabled", "true or false")]
    [TestCase("Delay", "5s", "a time span such as 00:00:05 or 1.00:00:00")]
    [TestCase("Timeout", "later", "a time span such as 00:00:05 or 1.00:00:00")]
    [TestCase("Mode", "Third", "First or Second")]
    [TestCase("Mode", "1", "First or Second")]
    public void GetSection_MalformedValue_ThrowsNamingTheSettingAndTheValue(string key, string value, string expected)
    {
        using var provider = Services(("Test:" + key, value));

        Assert.That(() => DexterSessionsSettings.GetSection<Settings>(provider, "Test"), Throws.InvalidOperationException.With.Message.EqualTo(
            $"The setting Test:{key} has the value '{value}', which is not {expected}. Correct or remove it."));
    }

    [TestCase("ApiKey")]
    [TestCase("ClientSecret")]
    [TestCase("PasswordLength")]
    public void GetSection_MalformedSecret_DoesNotRepeatTheValue(string key)
    {
        using var provider = Services(("Test:" + key, "hunter2"));

        Assert.That(() => DexterSessionsSettings.GetSection<Settings>(provider, "Test"), Throws.InvalidOperationException.With.Message.EqualTo(
            $"The setting Test:{key} has the value '***', which is not a whole number. Correct or remove it."));
    }

    [Test]
    public void GetSection_KeyOfTheOriginalSystem_NamesItsEnvironmentVariable()
    {
        using var provider = Services(("Dexter:Sessions:RateLimit:PermitsPerMinute", "many"));

        Assert.That(() => DexterSessionsSettings.GetSection<RateLimit>(provider, "Dexter:Sessions:RateLimit"), Throws.InvalidOperationException.With.Message.EqualTo(
            "The setting Dexter:Sessions:RateLimit:PermitsPerMinute (DEXTER_RATE_LIMIT_PER_MINUTE) has the value 'many', which is not a whole number. Correct or remove it."));
    }

    [Test]
    public void GetSection_NullOrBlankArguments_Throw()
    {
        using var provider = Services();

        Assert.Multiple(() =>
        {
            Assert.That(() => DexterSessionsSettings.GetSection<Settings>(null!, "Test"), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsSettings.GetSection<Settings>(provider, null!), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsSettings.GetSection<Settings>(provider, " "), Throws.ArgumentException);
        });
    }

    private enum Mode
    {
        First,
        Second,
    }

    private sealed class Settings
    {
        public int Count { get; set; }

        public long Total { get; set; }

        public bool Enabled { get; set; }

        public Mode Mode { get; set; }

        public TimeSpan Delay { get; set; }

        public TimeSpan? Timeout { get; set; }

        public string? Name { get; set; }

        public string? Blank { get; set; }

        public Settings? Nested { get; set; }

        public int ApiKey { get; set; }

        public int ClientSecret { get; set; }

        public int PasswordLength { get; set; }
    }

    private sealed class RateLimit
    {
        public int PermitsPerMinute { get; set; }
    }
}
