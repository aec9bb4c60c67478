using System.Text;

namespace Dexter.Sessions.Samples.Tests;

/// <summary>The samples with DEXTER_ENCRYPT_AT_REST on and off.</summary>
[TestFixture]
public sealed class EncryptionAtRestSampleTests
{
    [Test]
    public async Task ConsoleSample_EncryptAtRestWithSqlite_ContinuesTheSessionAndTheFileHoldsNoPlaintext()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-sample-encrypted-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["DEXTER_SQLITE_PATH"] = Path.Combine(directory.FullName, "sessions.db"),
                ["DEXTER_ENCRYPT_AT_REST"] = "true",
                ["DEXTER_KEYS_PATH"] = Path.Combine(directory.FullName, "keys"),
            };

            var first = await SampleProcess.RunAsync("Dexter.Sessions.ConsoleSample", settings, "--session", "encrypted-session");
            var second = await SampleProcess.RunAsync("Dexter.Sessions.ConsoleSample", settings, "--session", "encrypted-session");

            Assert.Multiple(() =>
            {
                Assert.That(first.ExitCode, Is.Zero, first.Error);
                Assert.That(second.ExitCode, Is.Zero, second.Error);
                Assert.That(first.Output, Does.Contain("Store:   SqliteSessionStore (encrypted at rest)"));
                Assert.That(second.Output, Does.Contain("Total turns: 6"));
                Assert.That(second.Output, Does.Contain("Turn 1: What is Bitcoin?"), "the second run decrypted the first run's turns");
                Assert.That(Directory.GetFiles(Path.Combine(directory.FullName, "keys")), Is.Not.Empty);
                Assert.That(DatabaseText(directory), Does.Not.Contain("Bitcoin"));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task ConsoleSample_EncryptAtRestOff_FileHoldsThePlaintext()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-sample-clear-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["DEXTER_SQLITE_PATH"] = Path.Combine(directory.FullName, "sessions.db"),
                ["DEXTER_ENCRYPT_AT_REST"] = "false",
            };

            var result = await SampleProcess.RunAsync("Dexter.Sessions.ConsoleSample", settings);

            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.Zero, result.Error);
                Assert.That(result.Output, Does.Contain("Store:   SqliteSessionStore\n"));
                Assert.That(DatabaseText(directory), Does.Contain("Bitcoin"));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task AgentFrameworkSample_EncryptAtRest_AnswersWithToolCallsThroughTheEncryptedStore()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-sample-keys-");
        try
        {
            var result = await SampleProcess.RunAsync(
                "Dexter.Sessions.AgentFrameworkSample",
                new Dictionary<string, string?> { ["DEXTER_ENCRYPT_AT_REST"] = "true", ["DEXTER_KEYS_PATH"] = directory.FullName });

            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.Zero, result.Error);
                Assert.That(result.Output, Does.Contain("Store:   InMemorySessionStore (encrypted at rest)"));
                Assert.That(result.Output, Does.Contain("Total turns: 3"));
                Assert.That(result.Output, Does.Match(@"Turn 2: Why is it valuable\? → .* \[tools: get_price\]"), "tool calls read back decrypted");
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task ConsoleSample_EncryptAtRestMalformed_StopsWithTheSettingsName()
    {
        var result = await SampleProcess.RunAsync("Dexter.Sessions.ConsoleSample", new Dictionary<string, string?> { ["DEXTER_ENCRYPT_AT_REST"] = "maybe" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Error, Does.Contain("DEXTER_ENCRYPT_AT_REST"));
        });
    }

    private static string DatabaseText(DirectoryInfo directory)
    {
        var text = new StringBuilder();
        foreach (var file in directory.GetFiles("sessions.db*"))
        {
            text.Append(Encoding.UTF8.GetString(File.ReadAllBytes(file.FullName)));
        }

        return text.ToString();
    }
}
