namespace Dexter.Sessions.PostgreSql;

/// <content>The statements of rewind, fork and turn keys.</content>
internal sealed partial class PostgreSqlSchema
{
    private const string TurnColumns = "INSERT INTO {0} (session_id, turn_id, seq, record, embedding)";

    /// <summary>Gets <see cref="Append"/> writing the turn key too ($6): a key the session holds fails the statement on the unique index, appending nothing.</summary>
    public string AppendKeyed => Keyed(Append);

    /// <summary>Gets <see cref="AppendToExisting"/> writing the turn key too ($6).</summary>
    public string AppendToExistingKeyed => Keyed(AppendToExisting);

    /// <summary>Gets the turn recorded with key $3 in session $1, when the session has not expired at $2.</summary>
    public string TurnByKey => $"""
        SELECT t.record, t.embedding FROM {Turns} t
        WHERE t.session_id = $1 AND t.turn_key = $3
          AND EXISTS (SELECT 1 FROM {Sessions} s WHERE s.session_id = $1 AND s.expires_at > $2)
        """;

    /// <summary>Gets the last turn id of session $1 at $2, locking its row until the transaction ends.</summary>
    public string LockLastId => $"SELECT last_id FROM {Sessions} WHERE session_id = $1 AND expires_at > $2 FOR UPDATE";

    /// <summary>Gets the removal of the turns of session $1 after turn $4 and the update of its row (expiry $3 from $2; a summary covering a removed turn goes).</summary>
    public string Rewind => $"""
        WITH removed AS (DELETE FROM {Turns} WHERE session_id = $1 AND turn_id > $4 RETURNING 1)
        UPDATE {Sessions} SET
            last_id = least(last_id, $4), turn_count = turn_count - (SELECT count(*) FROM removed),
            last_activity_at = $2, expires_at = $3,
            summary = CASE WHEN summary_through > $4 THEN NULL ELSE summary END,
            summary_updated_at = CASE WHEN summary_through > $4 THEN NULL ELSE summary_updated_at END,
            summary_updated_offset = CASE WHEN summary_through > $4 THEN NULL ELSE summary_updated_offset END,
            summary_through = CASE WHEN summary_through > $4 THEN 0 ELSE summary_through END
        WHERE session_id = $1
        RETURNING (SELECT count(*) FROM removed)::integer
        """;

    /// <summary>Gets the owner and last turn id of source session $1 at $2, locked against writes until the transaction ends.</summary>
    public string ForkSource => $"SELECT owner, last_id FROM {Sessions} WHERE session_id = $1 AND expires_at > $2 FOR SHARE";

    /// <summary>Gets the copy of turns 1 to $3 of session $2 into the new session $1, and its row's update (the origin, and the source's title).</summary>
    public string ForkCopy => $"""
        WITH copied AS (
            INSERT INTO {Turns} (session_id, turn_id, seq, record, embedding)
            SELECT $1, turn_id, seq, record, embedding FROM {Turns} WHERE session_id = $2 AND turn_id <= $3
            RETURNING 1)
        UPDATE {Sessions} AS fork SET
            last_id = $3, turn_count = (SELECT count(*) FROM copied), forked_from = $2, forked_from_turn = $3,
            title = source.title, title_source = source.title_source
        FROM {Sessions} AS source
        WHERE fork.session_id = $1 AND source.session_id = $2
        RETURNING fork.created_at, fork.last_activity_at, fork.turn_count, fork.owner, fork.title, fork.title_source
        """;

    private string Keyed(string append) =>
        append
            .Replace(string.Format(System.Globalization.CultureInfo.InvariantCulture, TurnColumns, Turns), $"INSERT INTO {Turns} (session_id, turn_id, seq, record, embedding, turn_key)", StringComparison.Ordinal)
            .Replace("substr($4, 2), $5", "substr($4, 2), $5, $6", StringComparison.Ordinal);
}
