using System.Text;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The endpoint names of one <c>MapDexterSessions(prefix)</c>: <c>DexterSessions_Query</c> and so on for the default prefix
/// <c>/agent</c>, <c>DexterSessions_{prefix}_Query</c> for another prefix (letters and digits kept, the rest as <c>_</c>).
/// </summary>
internal sealed class EndpointNames
{
    private static readonly string[] Operations = ["CreateSession", "Query", "GetHistory", "ExplainContext", "ClearHistory", "GetStatistics", "GetAudit", "Export", "ListSessions", "RenameSession"];
    private readonly string _stem;

    public EndpointNames(string prefix)
    {
        var trimmed = prefix.Trim('/');
        if (string.Equals(trimmed, "agent", StringComparison.Ordinal))
        {
            _stem = "DexterSessions_";
            return;
        }

        var stem = new StringBuilder("DexterSessions_");
        foreach (var c in trimmed.Length == 0 ? "root" : trimmed)
        {
            stem.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        _stem = stem.Append('_').ToString();
    }

    public IReadOnlyList<string> All => [.. Operations.Select(Of)];

    public string Of(string operation) => _stem + operation;
}
