namespace Dexter.Sessions.PostgreSql;

internal sealed partial class PostgreSqlSchema
{
    /// <summary>The columns a session's metadata is read from, in the order <c>PostgreSqlSessionStore.ReadMetadata</c> reads them.</summary>
    public const string MetadataColumns = "session_id, created_at, last_activity_at, turn_count, owner, title, title_source, forked_from, forked_from_turn";

    /// <summary>$1 owner, $2 now, $3 how many rows. The first page of an owner's live sessions, newest activity first, from the owner index.</summary>
    public string ListSessions => $"""
        SELECT {MetadataColumns} FROM {Sessions}
        WHERE owner = $1 AND owner IS NOT NULL AND expires_at > $2
        ORDER BY last_activity_at DESC, session_id DESC
        LIMIT $3
        """;

    /// <summary>$1 owner, $2 now, $3 how many rows, $4 and $5 the cursor's last activity and session id. The page after the cursor.</summary>
    public string ListSessionsAfter => $"""
        SELECT {MetadataColumns} FROM {Sessions}
        WHERE owner = $1 AND owner IS NOT NULL AND expires_at > $2 AND (last_activity_at, session_id) < ($4, $5)
        ORDER BY last_activity_at DESC, session_id DESC
        LIMIT $3
        """;

    /// <summary>
    /// $1 session id, $2 now, $3 title, $4 source. Stores the title of a live session when the source is the owner's or higher
    /// than the stored one: one statement, so the row lock orders concurrent writers. The expiry is left alone.
    /// </summary>
    public string SetTitle => $"""
        UPDATE {Sessions} SET title = $3, title_source = $4
        WHERE session_id = $1 AND expires_at > $2 AND ($4 = {(int)SessionTitleSource.Owner} OR title_source < $4)
        """;
}
