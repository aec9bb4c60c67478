namespace Dexter.Sessions.Sqlite;

/// <summary>
/// The tables of <see cref="SqliteSessionStore"/> and the steps that bring a database of any earlier schema version to
/// <see cref="CurrentVersion"/>. The package README shows the same DDL for a table prefix of <c>dexter_</c>.
/// </summary>
internal sealed class SqliteSchema
{
    /// <summary>The schema version this package writes; version <c>n</c> is reached by applying step <c>n - 1</c>.</summary>
    public const int CurrentVersion = 4;

    public SqliteSchema(string prefix)
    {
        SchemaTable = Quote(prefix + "schema");
        Sessions = Quote(prefix + "sessions");
        Turns = Quote(prefix + "turns");
        SchemaTableName = prefix + "schema";
        Migrations =
        [
            // 0 -> 1: the first schema.
            $"""
            CREATE TABLE IF NOT EXISTS {SchemaTable} (
                "id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),
                "version" INTEGER NOT NULL
            );
            CREATE TABLE {Sessions} (
                "session_id" TEXT NOT NULL PRIMARY KEY,
                "owner" TEXT NULL,
                "created_at" INTEGER NOT NULL,
                "last_activity_at" INTEGER NOT NULL,
                "expires_at" INTEGER NOT NULL,
                "last_id" INTEGER NOT NULL,
                "last_seq" INTEGER NOT NULL,
                "turn_count" INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX {Quote(prefix + "sessions_expires_at")} ON {Sessions} ("expires_at");
            CREATE TABLE {Turns} (
                "session_id" TEXT NOT NULL,
                "seq" INTEGER NOT NULL,
                "turn_id" INTEGER NOT NULL,
                "record" TEXT NOT NULL,
                "embedding" BLOB NULL,
                PRIMARY KEY ("session_id", "seq")
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX {Quote(prefix + "turns_turn_id")} ON {Turns} ("session_id", "turn_id");
            """,

            // 1 -> 2: the rolling summary of a session, on its row. summary_through is the last turn id it covers (0: none);
            // the time is UTC ticks and the offset it was given with, in minutes.
            $"""
            ALTER TABLE {Sessions} ADD COLUMN "summary" TEXT NULL;
            ALTER TABLE {Sessions} ADD COLUMN "summary_through" INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE {Sessions} ADD COLUMN "summary_updated_at" INTEGER NULL;
            ALTER TABLE {Sessions} ADD COLUMN "summary_updated_offset" INTEGER NULL;
            """,

            // 2 -> 3: conversations. The session's title and who wrote it (0 none, 1 the first question, 2 the model, 3 the owner),
            // and the index that lists an owner's sessions newest activity first.
            $"""
            ALTER TABLE {Sessions} ADD COLUMN "title" TEXT NULL;
            ALTER TABLE {Sessions} ADD COLUMN "title_source" INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX {Quote(prefix + "sessions_owner_activity")} ON {Sessions} ("owner", "last_activity_at", "session_id");
            """,

            // 3 -> 4: a conversation's lifecycle. The key a retried turn is recorded once by (unique per session, NULL for
            // turns without one), and where a forked session came from.
            $"""
            ALTER TABLE {Turns} ADD COLUMN "turn_key" TEXT NULL;
            CREATE UNIQUE INDEX {Quote(prefix + "turns_turn_key")} ON {Turns} ("session_id", "turn_key") WHERE "turn_key" IS NOT NULL;
            ALTER TABLE {Sessions} ADD COLUMN "forked_from" TEXT NULL;
            ALTER TABLE {Sessions} ADD COLUMN "forked_from_turn" INTEGER NULL;
            """,
        ];
    }

    /// <summary>Gets the quoted name of the table that holds the schema version.</summary>
    public string SchemaTable { get; }

    /// <summary>Gets the unquoted name of the schema version table, as <c>sqlite_master</c> lists it.</summary>
    public string SchemaTableName { get; }

    /// <summary>Gets the quoted name of the sessions table.</summary>
    public string Sessions { get; }

    /// <summary>Gets the quoted name of the turns table.</summary>
    public string Turns { get; }

    /// <summary>Gets the DDL of each step: step <c>i</c> brings version <c>i</c> to version <c>i + 1</c>.</summary>
    public IReadOnlyList<string> Migrations { get; }

    private static string Quote(string name) => "\"" + name + "\"";
}
