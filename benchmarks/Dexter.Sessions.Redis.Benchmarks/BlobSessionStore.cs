using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// The single-blob Redis design, as the baseline: each session is one JSON blob <c>session:{id}</c>, and every turn
/// reads the whole blob, adds the turn and writes the whole blob back with <c>SETEX 86400</c>.
/// </summary>
public sealed class BlobSessionStore(IDatabase database)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(86_400);

    public async Task SetAsync(string key, IEnumerable<Message> turns) =>
        await database.StringSetAsync(key, JsonSerializer.SerializeToUtf8Bytes(turns.Select(BlobTurn.From).ToList(), BlobJsonContext.Default.ListBlobTurn), Ttl);

    /// <summary>Appends a turn to the blob: GET, deserialize, add, serialize, SET.</summary>
    /// <param name="key">The blob to read.</param>
    /// <param name="writeKey">The blob to write; the benchmark writes elsewhere so that the history it reads keeps its length.</param>
    /// <param name="turn">The turn.</param>
    public async Task<int> AppendAsync(string key, string writeKey, Message turn)
    {
        var blob = (byte[]?)await database.StringGetAsync(key);
        var turns = blob is null ? [] : JsonSerializer.Deserialize(blob, BlobJsonContext.Default.ListBlobTurn)!;
        var id = turns.Count + 1;
        turns.Add(BlobTurn.From(turn with { Id = id }));
        await database.StringSetAsync(writeKey, JsonSerializer.SerializeToUtf8Bytes(turns, BlobJsonContext.Default.ListBlobTurn), Ttl);
        return id;
    }

    /// <summary>Reads the last turns from the blob: GET the whole blob and keep its tail.</summary>
    public async Task<List<BlobTurn>> GetRecentAsync(string key, int count)
    {
        var turns = JsonSerializer.Deserialize((byte[])(await database.StringGetAsync(key))!, BlobJsonContext.Default.ListBlobTurn)!;
        return turns.Count <= count ? turns : turns.GetRange(turns.Count - count, count);
    }
}

/// <summary>One turn in the blob.</summary>
public sealed class BlobTurn
{
    public int Id { get; set; }

    public string Query { get; set; } = "";

    public string Answer { get; set; } = "";

    public string Summary { get; set; } = "";

    public DateTimeOffset Timestamp { get; set; }

    public static BlobTurn From(Message message) => new()
    {
        Id = message.Id,
        Query = message.Query,
        Answer = message.Answer,
        Summary = message.Summary,
        Timestamp = message.CreatedAt,
    };
}

[JsonSerializable(typeof(List<BlobTurn>))]
internal sealed partial class BlobJsonContext : JsonSerializerContext;
