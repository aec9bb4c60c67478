using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>
/// The existing app of tests/Dexter.Sessions.HostApp through <see cref="WebApplicationFactory{TEntryPoint}"/>, with its own
/// JwtBearer users; settings choose what a test varies (HostApp:Prefixes, HostApp:DexterLiveness, Dexter:Sessions:…).
/// </summary>
internal sealed class HostApp : WebApplicationFactory<Program>
{
    private const string SigningKey = "host-app-signing-key-of-at-least-32-bytes";
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public HostApp(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = settings ?? [];
        _services = services;
    }

    public ISessionStore Store => Services.GetRequiredService<ISessionStore>();

    /// <summary>A token of the host's own scheme for <paramref name="user"/>, as the host's login would issue.</summary>
    public static string TokenFor(string user, params Claim[] extra) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "host-app",
        Audience = "host-app",
        Subject = new ClaimsIdentity([new Claim("sub", user), .. extra]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>A client signed in as <paramref name="user"/> with the host's token; anonymous when <see langword="null"/>.</summary>
    public HttpClient ClientFor(string? user, params Claim[] extra)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(user, extra));
        }

        return client;
    }

    public static async Task<string> CreateSessionAsync(HttpClient client, string prefix = "/agent")
    {
        using var response = await client.PostAsync(prefix + "/session", content: null);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!;
    }

    public static async Task<(HttpResponseMessage Response, string Body)> QueryAsync(HttpClient client, string query, string? sessionId, string prefix = "/agent")
    {
        var body = new JsonObject { ["query"] = query };
        if (sessionId is not null)
        {
            body["session_id"] = sessionId;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, prefix + "/query")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
