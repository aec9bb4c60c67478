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
}
