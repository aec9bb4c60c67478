namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>
/// A clock that moves only when told and whose timers never fire during a test (they run on the system clock with
/// periods of a minute or more), so that a test can call sweeps itself.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
}
