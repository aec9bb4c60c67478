using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>
/// An <see cref="ISessionStore"/> in front of another that counts every call of every member of the interface, by name (a
/// proxy, so a member added to the interface is counted without changing this class).
/// </summary>
public class CallCountingStore : DispatchProxy
{
    private ISessionStore _inner = null!;

    /// <summary>Gets the calls made since the last <see cref="Reset"/>, by member name.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the number of calls made since the last <see cref="Reset"/>.</summary>
    public int Total => Calls.Values.Sum();

    /// <summary>Puts a counting proxy in front of <paramref name="inner"/>.</summary>
    public static (ISessionStore Store, CallCountingStore Counter) Wrap(ISessionStore inner)
    {
        var proxy = Create<ISessionStore, CallCountingStore>();
        var counter = (CallCountingStore)(object)proxy;
        counter._inner = inner;
        return (proxy, counter);
    }

    /// <summary>Forgets the calls counted so far.</summary>
    public void Reset() => Calls.Clear();

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
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
