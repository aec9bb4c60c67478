using System.Globalization;
using Dexter.Sessions;
using Dexter.Sessions.PostgreSql;
using Microsoft.Extensions.Options;

// Appends turns to one session from several tasks, as one of several processes sharing it.
// Usage: Dexter.Sessions.PostgreSql.Tests.Writer <connection string> <table prefix> <session id> <tasks> <appends per task> <writer name>
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: <connection string> <table prefix> <session id> <tasks> <appends per task> <writer name>");
    return 2;
}

var (connectionString, prefix, sessionId, writer) = (args[0], args[1], args[2], args[5]);
var tasks = int.Parse(args[3], CultureInfo.InvariantCulture);
var appends = int.Parse(args[4], CultureInfo.InvariantCulture);

await using var store = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions
{
    ConnectionString = connectionString,
    TablePrefix = prefix,
    OperationTimeout = TimeSpan.FromSeconds(30),
}));
await store.PingAsync();
Console.WriteLine("ready");

// Start together with the other writers: wait for a line on standard input.
await Console.In.ReadLineAsync();

var ids = await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
{
    var assigned = new List<int>(appends);
    for (var i = 0; i < appends; i++)
    {
        var turn = new Message { Query = $"{writer}-{t}-{i}", Answer = "answer", CreatedAt = DateTimeOffset.UtcNow };
        assigned.Add((await store.AppendAsync(sessionId, turn)).Id);
    }

    return assigned;
})));

Console.WriteLine(string.Join(',', ids.SelectMany(i => i)));
return 0;
