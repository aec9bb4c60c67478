namespace Dexter.Sessions.PostgreSql;

internal sealed partial class PostgreSqlSchema
{
    /// <summary>$1 session id, $2 now. The summary of a live session, when it has one.</summary>
    public string GetSummary => $"""
        SELECT summary, summary_through, summary_updated_at, summary_updated_offset FROM {Sessions}
        WHERE session_id = $1 AND expires_at > $2 AND summary_through > 0
        """;

    /// <summary>
    /// $1 session id, $2 now, $3 new expiry, $4 text, $5 through, $6 updated-at ticks, $7 offset minutes, $8 expected through.
    /// The compare-and-set: one statement, so the row lock makes concurrent updates from one summary queue, and only the first
    /// still finds the expected value.
    /// </summary>
    public string TrySetSummary => $"""
        UPDATE {Sessions}
        SET summary = $4, summary_through = $5, summary_updated_at = $6, summary_updated_offset = $7, last_activity_at = $2, expires_at = $3
        WHERE session_id = $1 AND expires_at > $2 AND summary_through = $8
        """;

    /// <summary>
    /// $1 session id, $2 now, $3 turn id. The record of one turn of a live session, locked until the transaction ends, so that
    /// a concurrent embedding update or history replacement waits for the summary update (and it for them).
    /// </summary>
    public string ReadTurnForUpdate => $"""
        SELECT t.record FROM {Turns} t JOIN {Sessions} s ON s.session_id = t.session_id
        WHERE t.session_id = $1 AND t.turn_id = $3 AND s.expires_at > $2
        FOR UPDATE OF t
        """;

    /// <summary>$1 session id, $2 turn id, $3 record. Replaces the record of one turn, leaving the session's row (its expiry) alone.</summary>
    public string UpdateTurnRecord => $"UPDATE {Turns} SET record = $3 WHERE session_id = $1 AND turn_id = $2";

    /// <summary>
    /// $1 session id, $2 now, $3 turn ids. The records and embeddings of turns of a live session, locked until the transaction
    /// ends, so that a concurrent update of the same turns waits for this one.
    /// </summary>
    public string ReadTurnsForUpdate => $"""
        SELECT t.record, t.embedding FROM {Turns} t JOIN {Sessions} s ON s.session_id = t.session_id
        WHERE t.session_id = $1 AND t.turn_id = ANY($3) AND s.expires_at > $2
        ORDER BY t.turn_id
        FOR UPDATE OF t
        """;

    /// <summary>$1 session id, $2 turn id, $3 record, $4 embedding. Replaces one turn, leaving the session's row (its expiry) alone.</summary>
    public string UpdateTurn => $"UPDATE {Turns} SET record = $3, embedding = $4 WHERE session_id = $1 AND turn_id = $2";
}
