namespace Dexter.Sessions.Tests.Stores;

public sealed class SessionStoreExceptionTests
{
    [Test]
    public void SessionStoreException_KeepsMessageSessionAndCause()
    {
        var cause = new IOException("disk");

        var ex = new SessionStoreException("Cannot read the session.", "abc", cause);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Message, Is.EqualTo("Cannot read the session."));
            Assert.That(ex.SessionId, Is.EqualTo("abc"));
            Assert.That(ex.InnerException, Is.SameAs(cause));
            Assert.That(new SessionStoreException("m").SessionId, Is.Null);
            Assert.That(new SessionStoreException("m", cause).InnerException, Is.SameAs(cause));
            Assert.That(new SessionStoreException().Message, Is.Not.Empty);
        });
    }

    [Test]
    public void SessionStoreUnavailableException_IsASessionStoreException_WithEndpoint()
    {
        var cause = new TimeoutException();

        var ex = new SessionStoreUnavailableException("Redis at 127.0.0.1:6390 did not answer.", "127.0.0.1:6390", "abc", cause);

        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.InstanceOf<SessionStoreException>());
            Assert.That(ex.Endpoint, Is.EqualTo("127.0.0.1:6390"));
            Assert.That(ex.SessionId, Is.EqualTo("abc"));
            Assert.That(ex.InnerException, Is.SameAs(cause));
            Assert.That(new SessionStoreUnavailableException("m").Endpoint, Is.Null);
            Assert.That(new SessionStoreUnavailableException("m", cause).InnerException, Is.SameAs(cause));
            Assert.That(new SessionStoreUnavailableException().Endpoint, Is.Null);
        });
    }
}
