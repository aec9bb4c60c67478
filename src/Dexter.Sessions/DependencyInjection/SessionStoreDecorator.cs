namespace Dexter.Sessions;

/// <summary>
/// Wraps the application's session store in a decorator (encryption at rest, for one) when the store is resolved, so the
/// decorator applies whichever store is registered and whether it was registered before or after the decorator.
/// </summary>
/// <remarks>Registered as a singleton of this type; applied in registration order (the first registered is innermost).</remarks>
internal abstract class SessionStoreDecorator
{
    public abstract ISessionStore Decorate(IServiceProvider provider, ISessionStore store);
}
