using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// Turns the value of <c>DEXTER_POSTGRES_URL</c> (or <see cref="PostgreSqlSessionStoreOptions.ConnectionString"/>) into an
/// Npgsql connection string builder: a URL <c>postgres://[user[:password]@]host[:port][/database][?sslmode=…]</c>
/// (<c>postgresql://</c> too), or an Npgsql connection string.
/// </summary>
internal static partial class PostgreSqlConnectionStringParser
{
    /// <summary>The setting named in error messages.</summary>
    public const string SettingName = PostgreSqlSessionStoreOptions.SectionName + ":ConnectionString (" + PostgreSqlSessionStoreOptions.PostgresUrlEnvironmentVariable + ")";

    /// <summary>The port of a URL that names none.</summary>
    public const int DefaultPort = 5432;

    /// <summary>Parses <paramref name="value"/>.</summary>
    /// <param name="value">The URL or connection string.</param>
    /// <returns>The connection settings.</returns>
    /// <exception cref="FormatException">The value is neither; the message names the setting and never shows the password.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw Invalid(value, "it is empty");
        }

        var builder = text.Contains("://", StringComparison.Ordinal) ? ParseUrl(text) : ParseConnectionString(text);
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw Invalid(text, "it names no host");
        }

        return builder;
    }

    /// <summary>Tells whether <paramref name="value"/> parses, and why not.</summary>
    public static bool TryValidate(string value, out string? error)
    {
        try
        {
            Parse(value);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Hides the password of a URL or connection string, for messages and logs.</summary>
    public static string Redact(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var redacted = UrlPassword().Replace(value, "$1***@");
        return PasswordSetting().Replace(redacted, "$1***");
    }

    private static NpgsqlConnectionStringBuilder ParseUrl(string text)
    {
        var scheme = text[..text.IndexOf("://", StringComparison.Ordinal)].ToLowerInvariant();
        if (scheme is not ("postgres" or "postgresql"))
        {
            throw Invalid(text, $"the scheme '{scheme}' is not supported; use postgres:// or postgresql://");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(text, "it is not a valid URL with a host");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
        };

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(text, "its path must be one database name, as in postgres://host:5432/mydb");
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var parameter = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (name)
            {
                case "sslmode":
                    builder.SslMode = parameter.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw Invalid(text, $"sslmode '{parameter}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = parameter;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.TryParse(parameter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                        ? seconds
                        : throw Invalid(text, $"connect_timeout '{parameter}' is not a whole number of seconds");
                    break;
                default:
                    throw Invalid(text, $"the parameter '{name}' is not supported; use sslmode, application_name or connect_timeout, or an Npgsql connection string");
            }
        }

        return builder;
    }

    private static NpgsqlConnectionStringBuilder ParseConnectionString(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's message names the keyword, never the value.
            throw Invalid(text, "it is neither a postgres:// URL nor an Npgsql connection string (" + e.Message.TrimEnd('.') + ")");
        }
    }

    private static FormatException Invalid(string value, string reason) =>
        new($"The setting {SettingName} has the value '{Redact(value)}', which is not valid: {reason}. " +
            "Use postgres://user:password@host:5432/database or an Npgsql connection string such as Host=localhost;Username=app;Password=…;Database=app.");

    [GeneratedRegex(@"(://[^:/@]*:)[^@/]*@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)((?:^|;)\s*(?:password|pwd)\s*=\s*)[^;]*")]
    private static partial Regex PasswordSetting();
}
