namespace Dexter.Sessions.PostgreSql;

internal sealed partial class PostgreSqlSchema
{
    /// <summary>$1 session id, $2 now, $3 the new expiry. Refreshes a live session as every write does, changing nothing else.</summary>
    public string Touch => $"""
        UPDATE {Sessions} SET last_activity_at = $2, expires_at = $3
        WHERE session_id = $1 AND expires_at > $2
        """;

    /// <summary>$1 session id, $2 now, $3 the session it was forked from, $4 the last turn copied. The expiry is left alone.</summary>
    public string SetForkOrigin => $"""
        UPDATE {Sessions} SET forked_from = $3, forked_from_turn = $4
        WHERE session_id = $1 AND expires_at > $2
        """;
}
