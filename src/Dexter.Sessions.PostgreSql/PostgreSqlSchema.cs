using System.Globalization;
using System.Text;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// The tables of <see cref="PostgreSqlSessionStore"/> under one schema and table prefix: their names, the migrations that
/// create them version by version, and the statements the store runs.
/// </summary>
internal sealed partial class PostgreSqlSchema
{
    /// <summary>The schema version this package writes and reads.</summary>
    public const int CurrentVersion = 4;

    public PostgreSqlSchema(string schema, string tablePrefix)
    {
        SchemaName = schema;
        TablePrefix = tablePrefix;
        Schema = Quote(schema);
        Sessions = Schema + "." + Quote(tablePrefix + "sessions");
        Turns = Schema + "." + Quote(tablePrefix + "turns");
        Versions = Schema + "." + Quote(tablePrefix + "schema_version");
        VersionsName = schema + "." + tablePrefix + "schema_version";
        Description = schema + "." + tablePrefix + "sessions, " + tablePrefix + "turns and " + tablePrefix + "schema_version";

        // Appending is one statement, one round trip: the upsert takes the session's row lock (so concurrent appends queue
        // on it, never retry), hands out the next id and refreshes the expiry; the insert writes the turn record with its id
        // put in front ({"id":N, + the record serialized without one). A session that expired but is not yet cleaned up
        // yields no row; the store then deletes it and appends again.
        Append = $"""
            WITH s AS (
                INSERT INTO {Sessions} AS s (session_id, owner, created_at, last_activity_at, expires_at, last_id, turn_count)
                VALUES ($1, NULL, $2, $2, $3, 1, 1)
                ON CONFLICT (session_id) DO UPDATE
                    SET last_id = s.last_id + 1, turn_count = s.turn_count + 1, last_activity_at = $2, expires_at = $3
                    WHERE s.expires_at > $2
                RETURNING s.last_id, s.turn_count)
            INSERT INTO {Turns} (session_id, turn_id, seq, record, embedding)
            SELECT $1, s.last_id, s.turn_count, '\x7b226964223a'::bytea || convert_to(s.last_id::text, 'UTF8') || '\x2c'::bytea || substr($4, 2), $5
            FROM s
            RETURNING turn_id
            """;
        // The same insert, but only into a session that exists and has not expired: no row when it does not.
        AppendToExisting = $"""
            WITH s AS (
                UPDATE {Sessions} AS s
                    SET last_id = s.last_id + 1, turn_count = s.turn_count + 1, last_activity_at = $2, expires_at = $3
                    WHERE s.session_id = $1 AND s.expires_at > $2
                RETURNING s.last_id, s.turn_count)
            INSERT INTO {Turns} (session_id, turn_id, seq, record, embedding)
            SELECT $1, s.last_id, s.turn_count, '\x7b226964223a'::bytea || convert_to(s.last_id::text, 'UTF8') || '\x2c'::bytea || substr($4, 2), $5
            FROM s
            RETURNING turn_id
            """;
        DeleteIfExpired = $"DELETE FROM {Sessions} WHERE session_id = $1 AND expires_at <= $2";
        Get = $"""
            SELECT t.record, t.embedding FROM {Sessions} s LEFT JOIN {Turns} t ON t.session_id = s.session_id
            WHERE s.session_id = $1 AND s.expires_at > $2
            ORDER BY t.seq
            """;
        GetRecent = $"""
            SELECT t.record, t.embedding FROM {Turns} t
            WHERE t.session_id = $1 AND EXISTS (SELECT 1 FROM {Sessions} s WHERE s.session_id = $1 AND s.expires_at > $2)
            ORDER BY t.turn_id DESC
            LIMIT $3
            """;
        Exists = $"SELECT EXISTS (SELECT 1 FROM {Sessions} WHERE session_id = $1 AND expires_at > $2)";
        Metadata = $"SELECT {MetadataColumns} FROM {Sessions} WHERE session_id = $1 AND expires_at > $2";
        Delete = $"DELETE FROM {Sessions} WHERE session_id = $1 RETURNING expires_at > $2";
        Create = $"""
            INSERT INTO {Sessions} (session_id, owner, created_at, last_activity_at, expires_at, last_id, turn_count)
            VALUES ($1, $4, $2, $2, $3, 0, 0)
            ON CONFLICT (session_id) DO NOTHING
            RETURNING 1
            """;
        SetSession = $"""
            INSERT INTO {Sessions} AS s (session_id, owner, created_at, last_activity_at, expires_at, last_id, turn_count)
            VALUES ($1, NULL, $2, $2, $3, $4, $5)
            ON CONFLICT (session_id) DO UPDATE SET last_activity_at = $2, expires_at = $3, last_id = $4, turn_count = $5,
                summary = NULL, summary_through = 0, summary_updated_at = NULL, summary_updated_offset = NULL
            """;
        DeleteTurns = $"DELETE FROM {Turns} WHERE session_id = $1";
        InsertTurns = $"""
            INSERT INTO {Turns} (session_id, turn_id, seq, record, embedding)
            SELECT $1, u.turn_id, u.seq, u.record, u.embedding FROM unnest($2::integer[], $3::integer[], $4::bytea[], $5::bytea[]) AS u(turn_id, seq, record, embedding)
            """;
        UpdateEmbeddings = $"""
            WITH s AS (
                UPDATE {Sessions} SET last_activity_at = $2, expires_at = $3
                WHERE session_id = $1 AND expires_at > $2
                RETURNING session_id)
            UPDATE {Turns} t SET embedding = u.embedding
            FROM s, unnest($4::integer[], $5::bytea[]) AS u(turn_id, embedding)
            WHERE t.session_id = s.session_id AND t.turn_id = u.turn_id
            """;
        DeleteExpired = $"""
            DELETE FROM {Sessions}
            WHERE session_id IN (SELECT session_id FROM {Sessions} WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
              AND expires_at <= $1
            """;
        TableExists = "SELECT to_regclass($1) IS NOT NULL";
    }

    public string SchemaName { get; }

    public string TablePrefix { get; }

    /// <summary>The quoted schema.</summary>
    public string Schema { get; }

    /// <summary>The quoted, schema-qualified table names.</summary>
    public string Sessions { get; }

    public string Turns { get; }

    public string Versions { get; }

    /// <summary>The version table as <c>schema.name</c>, for <c>to_regclass</c>.</summary>
    public string VersionsName { get; }

    /// <summary>The tables, for messages.</summary>
    public string Description { get; }

    public string Append { get; }

    public string AppendToExisting { get; }

    public string DeleteIfExpired { get; }

    public string Get { get; }

    public string GetRecent { get; }

    public string Exists { get; }

    public string Metadata { get; }

    public string Delete { get; }

    public string Create { get; }

    public string SetSession { get; }

    public string DeleteTurns { get; }

    public string InsertTurns { get; }

    public string UpdateEmbeddings { get; }

    public string DeleteExpired { get; }

    /// <summary>Tells whether the table named by $1 (quoted, qualified) exists.</summary>
    public string TableExists { get; }

    /// <summary>A key for <c>pg_advisory_xact_lock</c>, so that only one process creates or migrates these tables at a time.</summary>
    public long MigrationLockKey
    {
        get
        {
            // FNV-1a over the qualified prefix: stable across processes and .NET versions (string.GetHashCode is not).
            var hash = 14695981039346656037UL;
            foreach (var b in Encoding.UTF8.GetBytes("dexter.sessions:" + SchemaName + "." + TablePrefix))
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return unchecked((long)hash);
        }
    }

    /// <summary>
    /// The migrations, in order: migration <c>n</c> (1-based) takes the tables from version <c>n - 1</c> to <c>n</c>. Each is
    /// idempotent, so a script of all of them can be run on a database at any earlier version.
    /// </summary>
    public IReadOnlyList<string> Migrations =>
    [
        // Version 1. Sessions: one row each, updated by every write. No index besides the key, so that those updates are
        // HOT (heap-only) and the fill factor leaves room for them; the cleanup scans for expired rows a batch at a time.
        // Turns: the key (session_id, turn_id) makes "latest k turns" an index range scan of k entries; seq keeps the order
        // of a history given to SetAsync. record is the core's turn record (UTF-8 JSON, bytea), embedding float32 LE bytes.
        $"""
        CREATE TABLE IF NOT EXISTS {Sessions} (
            session_id       text COLLATE "C" NOT NULL PRIMARY KEY,
            owner            text,
            created_at       timestamptz NOT NULL,
            last_activity_at timestamptz NOT NULL,
            expires_at       timestamptz NOT NULL,
            last_id          integer NOT NULL,
            turn_count       integer NOT NULL
        ) WITH (fillfactor = 70);
        CREATE TABLE IF NOT EXISTS {Turns} (
            session_id text COLLATE "C" NOT NULL REFERENCES {Sessions} (session_id) ON DELETE CASCADE,
            turn_id    integer NOT NULL,
            seq        integer NOT NULL,
            record     bytea NOT NULL,
            embedding  bytea,
            PRIMARY KEY (session_id, turn_id)
        );
        """,

        // Version 2. The rolling summary of a session, on its row: summary_through is the last turn id it covers (0: none),
        // the compare-and-set column; the time is UTC ticks and the offset it was given with, in minutes, so it reads back
        // exactly. A constant default makes the column addition a catalog change, without rewriting the table.
        $"""
        ALTER TABLE {Sessions}
            ADD COLUMN IF NOT EXISTS summary                text,
            ADD COLUMN IF NOT EXISTS summary_through        integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS summary_updated_at     bigint,
            ADD COLUMN IF NOT EXISTS summary_updated_offset integer;
        """,

        // Version 3. Conversations: the session's title and who wrote it (0 none, 1 the first question, 2 the model, 3 the
        // owner), and the index that lists an owner's sessions newest activity first. The index is partial (owned sessions
        // only); it names last_activity_at, so the updates of an owned session are no longer heap-only.
        $"""
        ALTER TABLE {Sessions}
            ADD COLUMN IF NOT EXISTS title        text,
            ADD COLUMN IF NOT EXISTS title_source integer NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS {Quote(TablePrefix + "sessions_owner_activity")}
            ON {Sessions} (owner, last_activity_at, session_id) WHERE owner IS NOT NULL;
        """,

        // Version 4. A conversation's lifecycle: the key a retried turn is recorded once by (unique per session; NULL for
        // turns without one, which the partial index leaves out), and where a forked session came from.
        $"""
        ALTER TABLE {Turns} ADD COLUMN IF NOT EXISTS turn_key text COLLATE "C";
        CREATE UNIQUE INDEX IF NOT EXISTS {Quote(TablePrefix + "turns_turn_key")} ON {Turns} (session_id, turn_key) WHERE turn_key IS NOT NULL;
        ALTER TABLE {Sessions}
            ADD COLUMN IF NOT EXISTS forked_from      text COLLATE "C",
            ADD COLUMN IF NOT EXISTS forked_from_turn integer;
        """,
    ];

    /// <summary>The whole DDL up to <see cref="CurrentVersion"/>, for teams that apply it themselves.</summary>
    public string Script()
    {
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"-- Dexter.Sessions.PostgreSql schema version {CurrentVersion}: {Description}.\n");
        script.Append(CultureInfo.InvariantCulture, $"CREATE SCHEMA IF NOT EXISTS {Schema};\n");
        script.Append(CreateVersions).Append('\n');
        for (var i = 0; i < Migrations.Count; i++)
        {
            script.Append(Migrations[i].TrimEnd()).Append('\n');
            script.Append(CultureInfo.InvariantCulture, $"INSERT INTO {Versions} (version) VALUES ({i + 1}) ON CONFLICT (version) DO NOTHING;\n");
        }

        return script.ToString();
    }

    public string CreateVersions => $"""
        CREATE TABLE IF NOT EXISTS {Versions} (
            version    integer NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    public string CurrentVersionQuery => $"SELECT coalesce(max(version), 0) FROM {Versions}";

    public string InsertVersion => $"INSERT INTO {Versions} (version) VALUES ($1)";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
