using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class EndpointSecurityTests
{
    private const string ApiKey = "test-api-key-0123456789";
    private const string Secret = "a-test-secret-that-is-long-enough-for-hs256!";

    private static readonly Dictionary<string, string?> ApiKeySettings = new() { ["BACKEND_API_KEY"] = ApiKey };
    private static readonly Dictionary<string, string?> JwtSettings = new() { ["JWT_SECRET"] = Secret };
    private static readonly Dictionary<string, string?> BothSettings = new() { ["BACKEND_API_KEY"] = ApiKey, ["JWT_SECRET"] = Secret };

    private static IEnumerable<TestCaseData> Endpoints()
    {
        yield return new TestCaseData("POST", "/agent/session", null).SetName("Endpoint_NoCredential_Returns401({0} {1})");
        yield return new TestCaseData("POST", "/agent/query", "{\"query\":\"hi\"}").SetName("Endpoint_NoCredential_Returns401({0} {1})");
        yield return new TestCaseData("GET", "/agent/history?session_id=abc", null).SetName("Endpoint_NoCredential_Returns401({0} {1})");
        yield return new TestCaseData("DELETE", "/agent/history?session_id=abc", null).SetName("Endpoint_NoCredential_Returns401({0} {1})");
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task Endpoint_NoCredential_Returns401(string method, string path, string? body)
    {
        await using var app = await TestApp.StartAsync(BothSettings);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await app.Client.SendAsync(request);

        var problem = await Problems.ReadAsync(response, 401);
        Assert.Multiple(() =>
        {
            Assert.That((string)problem["detail"]!, Does.Contain("X-API-Key").And.Contain("Bearer"));
            Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EquivalentTo(new[] { "Bearer", "ApiKey" }));
        });
        Assert.That(app.Model.Requests, Is.Empty);
    }

    [Test]
    public async Task ApiKey_Missing_Returns401()
    {
        await using var app = await TestApp.StartAsync(ApiKeySettings);

        using var response = await app.Client.PostAsync("/agent/session", content: null);

        await Problems.ReadAsync(response, 401);
    }

    [TestCase("wrong-key")]
    [TestCase("test-api-key-012345678")]
    [TestCase("test-api-key-01234567890")]
    [TestCase("TEST-API-KEY-0123456789")]
    public async Task ApiKey_Wrong_Returns401(string key)
    {
        await using var app = await TestApp.StartAsync(ApiKeySettings);

        using var response = await app.Client.SendAsync(WithApiKey(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), key));

        await Problems.ReadAsync(response, 401);
    }

    [Test]
    public async Task ApiKey_Correct_CreatesSessionOwnedByTheApiKeyIdentity()
    {
        await using var app = await TestApp.StartAsync(ApiKeySettings);

        var sessionId = await app.CreateSessionAsync(r => WithApiKey(r, ApiKey));

        Assert.That((await app.Store.GetMetadataAsync(sessionId))!.Owner, Is.EqualTo("api-key"));
    }

    [Test]
    public void ApiKey_KeysCompared_EqualOnlyForTheSameKey()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CallerAuthenticator.KeysEqual(ApiKey, ApiKey), Is.True);
            Assert.That(CallerAuthenticator.KeysEqual(ApiKey + "x", ApiKey), Is.False);
            Assert.That(CallerAuthenticator.KeysEqual(string.Empty, ApiKey), Is.False);
        });
    }

    [Test]
    public async Task Jwt_Valid_AllowsEveryEndpointAndOwnsTheSession()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var token = CreateToken("alice");

        var sessionId = await app.CreateSessionAsync(r => WithBearer(r, token));
        var (query, events) = await app.QueryAsync("hi", sessionId, r => WithBearer(r, token));
        using var history = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Get, "/agent/history?session_id=" + sessionId), token));
        using var clear = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Delete, "/agent/history?session_id=" + sessionId), token));

        query.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That((string)events[^1]["type"]!, Is.EqualTo("answer"));
            Assert.That(history.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(clear.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Jwt_Valid_RecordsSubjectAsOwner()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);

        var sessionId = await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice")));

        Assert.That((await app.Store.GetMetadataAsync(sessionId))!.Owner, Is.EqualTo("jwt:alice"));
    }

    [Test]
    public async Task Jwt_WrongSignature_Returns401()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var token = CreateToken("alice", secret: "another-secret-that-is-also-long-enough-for-hs256");

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        var problem = await Problems.ReadAsync(response, 401);
        Assert.That((string)problem["detail"]!, Does.Contain("bearer token is not valid"));
    }

    [Test]
    public async Task Jwt_Expired_Returns401()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var token = CreateToken("alice", expires: DateTime.UtcNow.AddMinutes(-10), notBefore: DateTime.UtcNow.AddHours(-1));

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        await Problems.ReadAsync(response, 401);
    }

    [Test]
    public async Task Jwt_AlgNone_Returns401()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var token = Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64Url("{\"sub\":\"alice\",\"exp\":" + exp + "}") + ".";

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        await Problems.ReadAsync(response, 401);
    }

    [Test]
    public async Task Jwt_OtherAlgorithmWithSameSecret_Returns401()
    {
        var longSecret = new string('k', 64);
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = longSecret });
        var token = CreateToken("alice", secret: longSecret, algorithm: SecurityAlgorithms.HmacSha512);
        await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice", secret: longSecret)));

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        await Problems.ReadAsync(response, 401);
    }

    [Test]
    public async Task Jwt_NoExpiry_Returns401()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "alice")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
        });

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        await Problems.ReadAsync(response, 401);
    }

    [Test]
    public async Task Jwt_NoSubject_Returns401()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var token = CreateToken(subject: null);

        using var response = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), token));

        var problem = await Problems.ReadAsync(response, 401);
        Assert.That((string)problem["detail"]!, Does.Contain("'sub'"));
    }

    [Test]
    public async Task Jwt_SecondPrincipal_Gets404OnFirstPrincipalsSessionLikeAnUnknownId()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var alice = CreateToken("alice");
        var bob = CreateToken("bob");
        var sessionId = await app.CreateSessionAsync(r => WithBearer(r, alice));
        (await app.QueryAsync("secret question", sessionId, r => WithBearer(r, alice))).Response.Dispose();

        using var history = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Get, "/agent/history?session_id=" + sessionId), bob));
        using var unknown = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Get, "/agent/history?session_id=" + SessionId.New()), bob));
        using var clear = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Delete, "/agent/history?session_id=" + sessionId), bob));
        var (query, _) = await app.QueryAsync("hi", sessionId, r => WithBearer(r, bob));

        var historyProblem = await Problems.ReadAsync(history, 404);
        var unknownProblem = await Problems.ReadAsync(unknown, 404);
        using (query)
        {
            await Problems.ReadAsync(query, 404);
        }

        await Problems.ReadAsync(clear, 404);
        Assert.Multiple(async () =>
        {
            Assert.That((string)historyProblem["detail"]!, Is.EqualTo((string)unknownProblem["detail"]!), "existence does not leak");
            Assert.That((string)historyProblem["title"]!, Is.EqualTo((string)unknownProblem["title"]!));
            Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1), "bob changed nothing");
        });
    }

    [Test]
    public async Task Jwt_SecondPrincipalWithFirstPrincipalsCookie_GetsANewSession()
    {
        await using var app = await TestApp.StartAsync(JwtSettings);
        var aliceSession = await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice")));

        var (response, events) = await app.QueryAsync("hi", configure: r =>
        {
            WithBearer(r, CreateToken("bob"));
            r.Headers.Add("Cookie", "session_id=" + aliceSession);
        });

        response.Dispose();
        Assert.That((string)events[^1]["session_id"]!, Is.Not.EqualTo(aliceSession));
        Assert.That((await app.Store.GetAsync(aliceSession))!.Count, Is.Zero);
    }

    [Test]
    public async Task ApiKeyAndJwt_ApiKeyPrincipal_Gets404OnJwtPrincipalsSession()
    {
        await using var app = await TestApp.StartAsync(BothSettings);
        var sessionId = await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice")));

        using var response = await app.Client.SendAsync(WithApiKey(new HttpRequestMessage(HttpMethod.Get, "/agent/history?session_id=" + sessionId), ApiKey));

        await Problems.ReadAsync(response, 404);
    }

    [Test]
    public async Task ApiKeyAndJwt_EitherCredential_IsAccepted()
    {
        await using var app = await TestApp.StartAsync(BothSettings);

        await app.CreateSessionAsync(r => WithApiKey(r, ApiKey));
        await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice")));
    }

    [Test]
    public async Task Jwt_IssuerConfigured_RejectsOtherIssuer()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["JWT_SECRET"] = Secret,
            ["Dexter:Sessions:Endpoints:JwtIssuer"] = "https://issuer.example",
        });

        using var wrong = await app.Client.SendAsync(WithBearer(new HttpRequestMessage(HttpMethod.Post, "/agent/session"), CreateToken("alice", issuer: "https://other.example")));
        await app.CreateSessionAsync(r => WithBearer(r, CreateToken("alice", issuer: "https://issuer.example")));

        await Problems.ReadAsync(wrong, 401);
    }

    internal static string CreateToken(
        string? subject,
        string secret = Secret,
        DateTime? expires = null,
        DateTime? notBefore = null,
        string algorithm = SecurityAlgorithms.HmacSha256,
        string? issuer = null)
    {
        var claims = subject is null ? [] : new[] { new Claim("sub", subject) };
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            NotBefore = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            IssuedAt = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            Issuer = issuer,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(json);

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage WithApiKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("X-API-Key", key);
        return request;
    }
}
