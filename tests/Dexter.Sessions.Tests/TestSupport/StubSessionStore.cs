namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>A store type with a public constructor that decorates an in-memory store, for registration tests.</summary>
internal sealed class StubSessionStore() : DelegatingSessionStore(new InMemorySessionStore(), disposeInner: true);
