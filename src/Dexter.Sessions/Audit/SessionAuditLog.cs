using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// The default <see cref="ISessionAuditLog"/>: every event goes to the logs (category <see cref="LogCategory"/>, EventIds
/// 850-862, one per action) and, when the session store implements <see cref="ISessionAuditStore"/>, to the store itself.
/// </summary>
/// <remarks>
/// <para>A <see cref="SessionAuditAction.Denied"/> event for a session that does not exist goes to the logs only, so requests
/// naming made-up ids cannot fill the store. Failures of the store are not swallowed: they reach the caller.</para>
/// <para>Each event also counts in the metric <c>dexter.sessions.audit.events</c> (tags <c>dexter.audit.action</c> and
/// <c>dexter.audit.outcome</c>) of the <see cref="DexterSessionsTelemetry.SourceName"/> meter.</para>
/// </remarks>
public sealed partial class SessionAuditLog : ISessionAuditLog
{
    /// <summary>The log category of audit events.</summary>
    public const string LogCategory = "Dexter.Sessions.Audit";

    private readonly ISessionStore _store;
    private readonly ISessionAuditStore? _auditStore;
    private readonly SessionAuditOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes the log.</summary>
    /// <param name="store">The session store; its <see cref="ISessionAuditStore"/>, when it has one, keeps the events.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger of category <see cref="LogCategory"/>; no logs when <see langword="null"/>.</param>
    public SessionAuditLog(ISessionStore store, IOptions<SessionAuditOptions>? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options?.Value ?? new SessionAuditOptions();
        _auditStore = _options.KeepInStore ? store.GetService<ISessionAuditStore>() : null;
        _logger = loggerFactory?.CreateLogger(LogCategory) ?? NullLogger.Instance;
    }

    /// <summary>Gets whether events are kept in the session store, so that <see cref="GetEventsAsync"/> can read them.</summary>
    public bool KeepsEvents => _auditStore is not null;

    /// <inheritdoc />
    public async Task RecordAsync(SessionAuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        Write(auditEvent);
        DexterSessionsTelemetry.AuditEvents.Add(1,
            new KeyValuePair<string, object?>("dexter.audit.action", SessionAuditJson.ActionName(auditEvent.Action)),
            new KeyValuePair<string, object?>("dexter.audit.outcome", SessionAuditJson.OutcomeName(auditEvent.Outcome)));

        if (_auditStore is null || auditEvent.SessionId is not { } sessionId || !SessionId.IsValid(sessionId))
        {
            return;
        }

        if (auditEvent.Action == SessionAuditAction.Denied &&
            !await _store.ExistsAsync(sessionId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await _auditStore.AppendAuditEventAsync(auditEvent, _options.Retention, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionAuditEvent>?> GetEventsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return _auditStore is null ? null : await _auditStore.GetAuditEventsAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    private void Write(SessionAuditEvent e)
    {
        var principal = e.Principal ?? "anonymous";
        var session = e.SessionId ?? "-";
        var request = e.RequestId ?? "-";
        var address = e.RemoteAddress ?? "-";
        switch (e.Action)
        {
            case SessionAuditAction.Created: Log.Created(_logger, session, principal, request, address); break;
            case SessionAuditAction.Queried: Log.Queried(_logger, session, e.TurnId ?? 0, principal, request, address); break;
            case SessionAuditAction.HistoryRead: Log.HistoryRead(_logger, session, principal, request, address); break;
            case SessionAuditAction.StatisticsRead: Log.StatisticsRead(_logger, session, principal, request, address); break;
            case SessionAuditAction.AuditRead: Log.AuditRead(_logger, session, principal, request, address); break;
            case SessionAuditAction.Exported: Log.Exported(_logger, session, principal, request, address); break;
            case SessionAuditAction.Cleared: Log.Cleared(_logger, session, principal, request, address); break;
            case SessionAuditAction.Imported: Log.Imported(_logger, session, principal, request, address); break;
            case SessionAuditAction.Renamed: Log.Renamed(_logger, session, principal, request, address); break;
            case SessionAuditAction.Rewound: Log.Rewound(_logger, session, e.TurnId ?? 0, principal, request, address); break;
            case SessionAuditAction.Forked: Log.Forked(_logger, session, e.TurnId ?? 0, principal, request, address); break;
            case SessionAuditAction.Replayed: Log.Replayed(_logger, session, e.TurnId ?? 0, principal, request, address); break;
            case SessionAuditAction.Interrupted: Log.Interrupted(_logger, session, e.TurnId ?? 0, principal, request, address); break;
            default: Log.Denied(_logger, session, SessionAuditJson.OutcomeName(e.Outcome), principal, request, address); break;
        }
    }
}
