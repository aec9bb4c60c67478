using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Packaging.Tests;

/// <summary>Log event ids are unique across every package, so a log query by id finds one event.</summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(DexterAgent).Assembly,
        typeof(Dexter.Sessions.Redis.RedisSessionStore).Assembly,
        typeof(Dexter.Sessions.Embeddings.EmbeddingMessageSelector).Assembly,
        typeof(Dexter.Sessions.Embeddings.MiniLM.MiniLMEmbeddingGenerator).Assembly,
        typeof(Dexter.Sessions.AspNetCore.DexterSessionsEndpointOptions).Assembly,
        typeof(Dexter.Sessions.Sqlite.SqliteSessionStore).Assembly,
        typeof(Dexter.Sessions.PostgreSql.PostgreSqlSessionStore).Assembly,
        typeof(Dexter.Sessions.AgentFramework.DexterChatHistoryProvider).Assembly,
    ];

    [Test]
    public void LoggerMessages_AcrossAllPackages_HaveUniqueEventIds()
    {
        var events = Packages
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (Id: x.Attribute!.EventId, Name: $"{x.Method.DeclaringType!.Assembly.GetName().Name}: {x.Method.DeclaringType.FullName}.{x.Method.Name}"))
            .ToList();

        var clashes = events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}");

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.GreaterThan(50), "the packages' log methods were found");
            Assert.That(clashes, Is.Empty);
        });
    }
}
