using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dexter.Sessions;

/// <summary>
/// Registers <see cref="ISessionStore"/> so that every <see cref="SessionStoreDecorator"/> wraps it, whatever the order of
/// registration: stores registered through <c>UseSessionStore(…)</c> apply the decorators when resolved, and adding a
/// decorator rewrites a store registered earlier in another way.
/// </summary>
internal static class SessionStoreRegistration
{
    public static void Register(IServiceCollection services, Func<IServiceProvider, ISessionStore> factory, ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        services.Replace(new ServiceDescriptor(typeof(ISessionStore), new DecoratingFactory(factory).Create, lifetime));

    public static TDecorator AddDecorator<TDecorator>(IServiceCollection services, Func<TDecorator> create)
        where TDecorator : SessionStoreDecorator
    {
        var decorator = services
            .Where(static d => !d.IsKeyedService && d.ServiceType == typeof(SessionStoreDecorator))
            .Select(static d => d.ImplementationInstance)
            .OfType<TDecorator>()
            .FirstOrDefault();
        if (decorator is null)
        {
            decorator = create();
            services.AddSingleton<SessionStoreDecorator>(decorator);
        }

        if (LastStore(services) is { } current && !IsDecorating(current))
        {
            Register(services, InnerFactory(current), current.Lifetime);
        }

        return decorator;
    }

    /// <summary>Tells whether the store the services resolve last is wrapped by the decorators (or none is registered).</summary>
    public static bool StoreIsDecorated(IServiceCollection services) =>
        LastStore(services) is not { } store || IsDecorating(store);

    public static string? StoreDescription(IServiceCollection services) =>
        LastStore(services) is { } store
            ? (store.ImplementationType ?? store.ImplementationInstance?.GetType())?.FullName ?? "a factory"
            : null;

    private static ServiceDescriptor? LastStore(IServiceCollection services) =>
        services.LastOrDefault(static d => !d.IsKeyedService && d.ServiceType == typeof(ISessionStore));

    private static bool IsDecorating(ServiceDescriptor descriptor) => descriptor.ImplementationFactory?.Target is DecoratingFactory;

    private static Func<IServiceProvider, ISessionStore> InnerFactory(ServiceDescriptor descriptor)
    {
        if (descriptor.ImplementationInstance is ISessionStore instance)
        {
            return _ => instance;
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return provider => (ISessionStore)factory(provider);
        }

        return new TypeActivator(descriptor.ImplementationType!).Create;
    }

    private sealed class TypeActivator
    {
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
        private readonly Type _type;

        public TypeActivator([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type type) => _type = type;

        public ISessionStore Create(IServiceProvider provider) => (ISessionStore)ActivatorUtilities.CreateInstance(provider, _type);
    }

    private sealed class DecoratingFactory(Func<IServiceProvider, ISessionStore> inner)
    {
        public ISessionStore Create(IServiceProvider provider)
        {
            var store = inner(provider);
            foreach (var decorator in provider.GetServices<SessionStoreDecorator>())
            {
                store = decorator.Decorate(provider, store);
            }

            return store;
        }
    }
}
