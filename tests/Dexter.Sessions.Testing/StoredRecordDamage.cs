using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>Damages a turn record written in clear where its JSON structure is, and checks the store's error.</summary>
public static class StoredRecordDamage
{
    /// <summary>
    /// Replaces each structural character of a clear record (<c>{ } " : ,</c>) in turn, up to 40 of them chosen with a fixed
    /// seed, and checks that every read fails with the error that names the session and the turn ("Turn N of session … cannot
    /// be read"), then puts the record back.
    /// </summary>
    /// <param name="record">The record as stored.</param>
    /// <param name="turnId">Its turn id.</param>
    /// <param name="sessionId">Its session.</param>
    /// <param name="writeAsync">Writes a (damaged or original) record in place of the stored one.</param>
    /// <param name="readAsync">Reads the session through the store.</param>
    /// <returns>A task that completes once every position was checked.</returns>
    public static async Task AssertEveryDamagedStructuralByteIsRefusedAsync(
        byte[] record, int turnId, string sessionId, Func<byte[], Task> writeAsync, Func<Task> readAsync)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(writeAsync);
        ArgumentNullException.ThrowIfNull(readAsync);
        var idPrefix = System.Text.Encoding.UTF8.GetByteCount($"{{\"id\":{turnId},");
        var positions = Enumerable.Range(idPrefix, record.Length - idPrefix).Where(i => "{}\":,"u8.Contains(record[i])).ToArray();
        new Random(18).Shuffle(positions);

        foreach (var at in positions.Take(40).Order())
        {
            var damaged = (byte[])record.Clone();
            damaged[at] = (byte)'A';
            await writeAsync(damaged);

            var e = Assert.ThrowsAsync<SessionStoreException>(() => readAsync(), $"byte {at} of {record.Length} damaged");
            Assert.Multiple(() =>
            {
                Assert.That(e!.SessionId, Is.EqualTo(sessionId), $"byte {at}");
                Assert.That(e.Message, Does.Match($"^Turn {turnId} of session '{sessionId}' .*cannot be read: its record "), $"byte {at}");
            });
        }

        await writeAsync(record);
        Assert.That(readAsync, Throws.Nothing, "the undamaged record reads again");
    }
}
