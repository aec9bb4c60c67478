using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>
/// One row of the evaluation: a name and the registrations an application would write. The evaluation calls
/// <c>AddDexterSessions()</c> after <see cref="Register"/> to set the budget and to record summaries in line, so a row sets
/// anything else (the selector, <see cref="DexterSessionsOptions.MaxContextMessages"/>, an embedding generator) as an app does.
/// </summary>
/// <param name="Name">The name shown in the report.</param>
/// <param name="Register">The registrations.</param>
internal sealed record RetrievalConfiguration(string Name, Action<IServiceCollection> Register);
