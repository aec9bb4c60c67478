namespace Dexter.Sessions;

/// <summary>Options of <see cref="SessionAuditLog"/>.</summary>
public sealed class SessionAuditOptions
{
    private TimeSpan _retention = TimeSpan.FromDays(90);

    /// <summary>Gets or sets how long a session's trail is kept in the store after its latest event, the session's deletion included.</summary>
    /// <value>90 days.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan Retention
    {
        get => _retention;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _retention = value;
        }
    }

    /// <summary>
    /// Gets or sets whether events are kept in the session store (when it implements <see cref="ISessionAuditStore"/>) besides
    /// the logs; with <see langword="false"/>, events go to the logs only and <c>GET {prefix}/audit</c> has nothing to show.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool KeepInStore { get; set; } = true;
}
