// An existing app: its own users (JwtBearer, the only scheme), controllers and minimal APIs, problem details, /health,
// JSON options and rate-limiter policy. Dexter.Sessions is added as its README's ASP.NET Core section says, and must change
// none of these. Settings under HostApp: choose what the tests vary (prefixes, Dexter's health routes, anonymous use).
using System.Text;
using System.Text.Json;
using Dexter.Sessions.Samples;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateBuilder(args);

// The app's own users.
var signingKey = builder.Configuration["HostApp:SigningKey"] ?? "host-app-signing-key-of-at-least-32-bytes";
builder.Services.AddAuthentication().AddJwtBearer(options => options.TokenValidationParameters = new TokenValidationParameters
{
    ValidIssuer = "host-app",
    ValidAudience = "host-app",
    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)),
});
builder.Services.AddAuthorization();

// The app's own conventions.
builder.Services.AddControllers().AddJsonOptions(o => o.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context => context.ProblemDetails.Extensions["app"] = "host-app");
builder.Services.AddHealthChecks();
builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.AddFixedWindowLimiter("host-fixed", limiter =>
    {
        limiter.PermitLimit = 2;
        limiter.Window = TimeSpan.FromMinutes(1);
    });
});

// Dexter.Sessions, as the README says.
builder.Services.AddChatClient(new OfflineChatClient());
builder.Services.AddDexterSessions().AddEndpoints();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapControllers();
app.MapGet("/me", (HttpContext context) => new { User = context.User.Identity?.Name ?? context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value })
    .RequireAuthorization();
app.MapGet("/ping", () => "pong").RequireRateLimiting("host-fixed");
app.MapGet("/orders/summary", () => new { OrderCount = 2, LastOrderId = "o-2" });
app.MapGet("/boom", () => Results.Problem("The host's own failure."));
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = static (context, _) => context.Response.WriteAsync("host-health") });

foreach (var prefix in (app.Configuration["HostApp:Prefixes"] ?? "/agent").Split(',', StringSplitOptions.RemoveEmptyEntries))
{
    var group = app.MapDexterSessions(prefix);
    if (!app.Configuration.GetValue<bool>("HostApp:Anonymous"))
    {
        group.RequireAuthorization();
    }
}

app.MapDexterSessionsHealthChecks(
    app.Configuration["HostApp:DexterLiveness"] ?? "/agent/health",
    app.Configuration["HostApp:DexterReadiness"] ?? "/agent/ready");
app.Run();

/// <summary>The entry point, for WebApplicationFactory.</summary>
public partial class Program;
