using System.Globalization;
using Dexter.Sessions;
using Dexter.Sessions.Sqlite;
using Microsoft.Extensions.Options;

// Appends turns to one session from several tasks, as one of several processes sharing the database file.
// Prints "ready", waits for a line on standard input, then prints each acknowledged id on its own line ("ack N")
// as soon as the append returns, and finally "done".
// Usage: Dexter.Sessions.Sqlite.Tests.Writer <path> <session id> <tasks> <appends per task> <writer name>
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: <path> <session id> <tasks> <appends per task> <writer name>");
    return 2;
}

var (path, sessionId, writer) = (args[0], args[1], args[4]);
var tasks = int.Parse(args[2], CultureInfo.InvariantCulture);
var appends = int.Parse(args[3], CultureInfo.InvariantCulture);

using var store = new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = path, Timeout = TimeSpan.FromSeconds(60) }));
await store.PingAsync();
Console.WriteLine("ready");

// Start together with the other writers: wait for a line on standard input.
await Console.In.ReadLineAsync();

var output = TextWriter.Synchronized(Console.Out);
await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
{
    for (var i = 0; i < appends; i++)
    {
        var turn = new Message { Query = $"{writer}-{t}-{i}", Answer = "answer", CreatedAt = DateTimeOffset.UtcNow };
        var id = (await store.AppendAsync(sessionId, turn)).Id;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {id}"));
        output.Flush();
    }
})));

Console.WriteLine("done");
return 0;
