namespace Dexter.Sessions;

/// <summary>Helpers over <see cref="ISessionStore"/>.</summary>
public static class SessionStoreExtensions
{
    /// <summary>
    /// Finds an object of type <typeparamref name="T"/> in a store: the store itself, or a store it decorates
    /// (see <see cref="DelegatingSessionStore"/>), at any depth.
    /// </summary>
    /// <typeparam name="T">The type wanted, for example a concrete store type.</typeparam>
    /// <param name="store">The store, decorated or not.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public static T? GetService<T>(this ISessionStore store)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetService(typeof(T)) as T;
    }
}
