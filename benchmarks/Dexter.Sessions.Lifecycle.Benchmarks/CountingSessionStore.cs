using System.Collections.Concurrent;
using System.Reflection;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>An <see cref="ISessionStore"/> in front of another that counts every call made to it, by method.</summary>
public class CountingSessionStore : DispatchProxy
{
    private ISessionStore _inner = null!;

    /// <summary>Gets the calls made so far, by method name.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (ISessionStore Store, CountingSessionStore Counter) Wrap(ISessionStore inner)
    {
        var proxy = Create<ISessionStore, CountingSessionStore>();
        var counter = (CountingSessionStore)(object)proxy;
        counter._inner = inner;
        return (proxy, counter);
    }

    /// <summary>Forgets the calls counted so far.</summary>
    public void Reset() => Calls.Clear();

    /// <summary>Describes the calls counted, such as <c>1 (GetTurnByKeyAsync)</c>.</summary>
    public string Describe() =>
        Calls.Values.Sum() + " (" + string.Join(", ", Calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value == 1 ? c.Key : c.Key + " ×" + c.Value)) + ")";

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
