using System.Text;
using System.Text.RegularExpressions;

namespace Dexter.Sessions.Packaging.Tests;

/// <summary>One C# code block of a README, and the compilable file made of it.</summary>
internal sealed partial record ReadmeSnippet(string File, int Line, string Heading, string Code)
{
    /// <summary>
    /// Names a snippet may use without declaring them, as a reader's own code would have them; each stands for a value of the
    /// given type. A snippet that declares a name itself keeps its own.
    /// </summary>
    private static readonly (string Name, string Type)[] Placeholders =
    [
        ("myChatClient", "Microsoft.Extensions.AI.IChatClient"),
        ("chatClient", "Microsoft.Extensions.AI.IChatClient"),
        ("myEmbeddingGenerator", "Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>"),
        ("provider", "System.IServiceProvider"),
        ("services", "Microsoft.Extensions.DependencyInjection.IServiceCollection"),
        ("builder", "Microsoft.AspNetCore.Builder.WebApplicationBuilder"),
        ("app", "Microsoft.AspNetCore.Builder.WebApplication"),
        ("configuration", "Microsoft.Extensions.Configuration.IConfigurationBuilder"),
        ("agent", "Dexter.Sessions.DexterAgent"),
        ("store", "Dexter.Sessions.ISessionStore"),
        ("history", "Dexter.Sessions.MessageHistory"),
        ("sessionId", "string"),
        ("query", "string"),
        ("args", "string[]"),
    ];

    /// <summary>
    /// The usings a reader's file already has around a fragment (a block with no <c>using</c> of its own continues the page's
    /// earlier blocks). A block that has its own <c>using</c> directives is taken as a whole file and gets none of these.
    /// </summary>
    private static readonly string[] FragmentUsings =
    [
        "Dexter.Sessions", "Dexter.Sessions.Redis", "Dexter.Sessions.Embeddings", "Dexter.Sessions.Sqlite", "Dexter.Sessions.PostgreSql",
        "Dexter.Sessions.AgentFramework", "Microsoft.Extensions.AI", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Configuration", "Microsoft.Extensions.Options", "Microsoft.Extensions.Hosting", "Microsoft.AspNetCore.Builder",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.RateLimiting", "System.Threading.RateLimiting", "Microsoft.Agents.AI",
    ];

    public string ClassName => "Snippet_" + NonWord().Replace(Path.GetFileNameWithoutExtension(File) + "_" + Path.GetDirectoryName(File)?.Replace('/', '_') + "_" + Line, "_");

    /// <summary>Finds every <c>```csharp</c> block of a markdown file.</summary>
    public static IEnumerable<ReadmeSnippet> Read(string root, string relativePath)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(root, relativePath));
        var heading = string.Empty;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#', ' ');
            }

            if (lines[i].Trim() is not ("```csharp" or "```cs" or "```c#"))
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            yield return new ReadmeSnippet(relativePath, start, heading, string.Join('\n', lines[start..end]));
            i = end;
        }
    }

    /// <summary>
    /// Makes a C# file of the snippet: its <c>using</c> directives first, type declarations at namespace level, and its statements
    /// in <c>RunAsync</c>, whose parameters are the placeholders it uses without declaring.
    /// </summary>
    public string ToSource()
    {
        var usings = new List<string>();
        var statements = new List<string>();
        var declarations = new List<string>();
        var lines = Code.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (UsingDirective().IsMatch(line))
            {
                usings.Add(line.Trim());
            }
            else if (TypeDeclaration().IsMatch(line))
            {
                // A type: up to the closing brace at column 0 (or the line itself for a one-line record).
                var end = i;
                if (!line.TrimEnd().EndsWith(';'))
                {
                    while (end < lines.Length && lines[end] != "}")
                    {
                        end++;
                    }
                }

                declarations.AddRange(lines[i..Math.Min(end + 1, lines.Length)]);
                i = end;
            }
            else
            {
                statements.Add(line);
            }
        }

        var body = string.Join('\n', statements);
        var code = LineComment().Replace(body, string.Empty);
        var parameters = Placeholders
            .Where(p => Regex.IsMatch(code, $@"(?<![\w.""]){p.Name}\b") && !Regex.IsMatch(code, $@"(\bvar|[\w>\]?]+)\s+{p.Name}\s*(=|;|\bin\b)"))
            .Select(p => $"{p.Type} {p.Name}");
        var source = new StringBuilder();
        foreach (var directive in usings.Count > 0 ? usings.Distinct() : FragmentUsings.Select(n => $"using {n};"))
        {
            source.AppendLine(directive);
        }

        source.AppendLine("using static ReadmeSnippets.Placeholders;");
        source.AppendLine($"// {File}, line {Line} ({Heading})");
        source.AppendLine("namespace ReadmeSnippets;");
        source.AppendLine(string.Join('\n', declarations));
        source.AppendLine($"internal static class {ClassName}");
        source.AppendLine("{");
        source.AppendLine("#pragma warning disable CS1998, CS0162, CS8321, CS0168, CS0219");
        source.AppendLine($"    public static async System.Threading.Tasks.Task RunAsync({string.Join(", ", parameters)})");
        source.AppendLine("    {");
        source.AppendLine(body);
        source.AppendLine("    }");
        source.AppendLine("}");
        return source.ToString();
    }

    public override string ToString() => $"{File}:{Line} ({Heading})";

    [GeneratedRegex(@"^using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>]+)?;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^(public |internal |file )?(sealed |static |abstract |partial )*(class|record|interface|struct|enum)\s+\w+")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();
}
