// The web sample: the session endpoints under /agent and a chat page, on http://localhost:8000.
//
//   dotnet run --project samples/Dexter.Sessions.WebSample            (offline model, in-memory sessions)
//   OPENAI_API_KEY=... [OPENAI_BASE_URL=...] [OPENAI_MODEL=...]       a real OpenAI-compatible model
//   REDIS_URL=redis://localhost:6379/0                                Redis sessions
//   DEXTER_USE_EMBEDDINGS=true                                        context turns ranked by embedding similarity too, with
//                                                                     all-MiniLM-L6-v2 run in process (nothing downloaded)
//   BACKEND_API_KEY=... / JWT_SECRET=... / SECURE_COOKIES=true        endpoint security
//   DEXTER_RATE_LIMIT_PER_MINUTE=10                                   queries per session per minute (0 = off)
//   DEXTER_ENCRYPT_AT_REST=true [DEXTER_KEYS_PATH=keys]               conversations encrypted in the store (Data Protection)
using Dexter.Sessions.Samples;
using Microsoft.Extensions.AI;

var builder = WebApplication.CreateBuilder(args);

// Port 8000, unless --urls or ASPNETCORE_URLS says otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://localhost:8000");
}

// The bare variable names (REDIS_URL, JWT_SECRET, BACKEND_API_KEY, SECURE_COOKIES, DEXTER_*) are read
// because the sample opts in to them; an application that does not make this call keeps those names to itself.
builder.Configuration.AddDexterSessionsEnvironmentVariables();

builder.Services.AddChatClient(SampleModel.Create(builder.Configuration));
builder.Services.AddDexterSessions()
    .UseRedisWhenConfigured()               // REDIS_URL -> Redis, in memory otherwise
    .UseRedisRateLimits()                   // with Redis, every instance shares the rate limits
    .UseEncryptionAtRestWhenConfigured()    // DEXTER_ENCRYPT_AT_REST=true -> content encrypted in the store
    .UseEmbeddingSelectorWhenConfigured()   // DEXTER_USE_EMBEDDINGS=true -> embedding similarity joins the relevance ranking
    .AddEndpoints();                        // BACKEND_API_KEY, JWT_SECRET, SECURE_COOKIES, DEXTER_RATE_LIMIT_PER_MINUTE
if (SampleModel.UseEmbeddings(builder.Configuration))
{
    // The embeddings of DEXTER_USE_EMBEDDINGS=true (or Dexter:Sessions:UseEmbeddings): all-MiniLM-L6-v2, run in process and
    // loaded by the first query. Registered only then, as the selection uses a registered embedding generator whenever there is one.
    builder.Services.AddMiniLMEmbeddingGenerator();
}

builder.Services.AddSampleDataProtection(builder.Configuration);
builder.Services.AddHealthChecks().AddDexterSessionsRedis(tags: ["ready"]);
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = static file => AddPageSecurityHeaders(file.Context.Response.Headers) });
app.MapDexterSessions("/agent");
app.MapDexterSessionsHealthChecks();
app.MapOpenApi().RequireDexterSessionsCaller();   // the API description needs the same credential as the endpoints
app.Run();

// The chat page loads its script and style from this origin only, cannot be framed, and is never sniffed as another type.
static void AddPageSecurityHeaders(IHeaderDictionary headers)
{
    headers.XContentTypeOptions = "nosniff";
    headers.XFrameOptions = "DENY";
    headers.ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    headers["Referrer-Policy"] = "no-referrer";
}
