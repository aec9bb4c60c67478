namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>Sets environment variables for the length of a test and restores them afterwards.</summary>
internal sealed class EnvironmentVariableScope : IDisposable
{
    private readonly (string Name, string? Value)[] _previous;

    public EnvironmentVariableScope(params (string Name, string? Value)[] variables)
    {
        _previous = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
