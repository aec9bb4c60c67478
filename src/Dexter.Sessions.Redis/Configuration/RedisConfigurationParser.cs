using System.Globalization;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <summary>
/// Turns the value of <c>REDIS_URL</c> (or <see cref="RedisSessionStoreOptions.Configuration"/>) into StackExchange.Redis
/// <see cref="ConfigurationOptions"/>: a URL <c>redis://[user:password@]host[:port][/db]</c>, <c>rediss://</c> for TLS, or a
/// StackExchange.Redis configuration string.
/// </summary>
internal static partial class RedisConfigurationParser
{
    /// <summary>The setting that names the server, as error messages name it.</summary>
    public const string SettingName = RedisSessionStoreOptions.SectionName + ":Configuration (" + RedisSessionStoreOptions.RedisUrlEnvironmentVariable + ")";

    /// <summary>The port of a URL that names none.</summary>
    public const int DefaultPort = 6379;

    /// <summary>Parses <paramref name="value"/>.</summary>
    /// <param name="value">The URL or configuration string.</param>
    /// <param name="settingName">The setting the value came from, named in the error message.</param>
    /// <returns>The configuration; <see cref="ConfigurationOptions.AbortOnConnectFail"/> is off.</returns>
    /// <exception cref="FormatException">The value is neither a Redis URL nor a configuration string; the message names the setting.</exception>
    public static ConfigurationOptions Parse(string value, string settingName)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(settingName);
        var text = value.Trim();
        if (text.Length == 0)
        {
            throw Invalid(settingName, value, "it is empty");
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        var options = schemeEnd >= 0 ? ParseUrl(text, schemeEnd, settingName) : ParseConfigurationString(text, settingName);
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>Tells whether <paramref name="value"/> parses, and why not.</summary>
    /// <param name="value">The URL or configuration string.</param>
    /// <param name="settingName">The setting the value came from.</param>
    /// <param name="error">The error message, when it does not parse.</param>
    /// <returns><see langword="true"/> when the value parses.</returns>
    public static bool TryValidate(string value, string settingName, out string? error)
    {
        try
        {
            Parse(value, settingName);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Hides the password of a URL or configuration string, for messages and logs.</summary>
    /// <param name="value">The URL or configuration string.</param>
    /// <returns>The value with its password replaced by <c>***</c>.</returns>
    public static string Redact(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var redacted = UrlPassword().Replace(value, "$1***@");
        return PasswordSetting().Replace(redacted, "$1***");
    }

    private static ConfigurationOptions ParseUrl(string text, int schemeEnd, string settingName)
    {
        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("redis" or "rediss"))
        {
            throw Invalid(settingName, text, $"the scheme '{scheme}' is not supported; use redis:// or rediss:// (TLS)");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(settingName, text, "it is not a valid URL with a host");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw Invalid(settingName, text, "query strings and fragments are not supported");
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost;
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var options = new ConfigurationOptions { Ssl = scheme == "rediss" };
        options.EndPoints.Add(host, port);
        if (options.Ssl)
        {
            options.SslHost = host;
        }

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            var password = separator < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            if (user.Length > 0)
            {
                options.User = user;
            }

            if (!string.IsNullOrEmpty(password))
            {
                options.Password = password;
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw Invalid(settingName, text, $"the database '{path}' is not a whole number such as /0");
            }

            options.DefaultDatabase = database;
        }

        return options;
    }

    private static ConfigurationOptions ParseConfigurationString(string text, string settingName)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw Invalid(settingName, text, e.Message.TrimEnd('.'));
        }

        if (options.EndPoints.Count == 0)
        {
            throw Invalid(settingName, text, "it names no server");
        }

        return options;
    }

    private static FormatException Invalid(string settingName, string value, string reason) =>
        new($"The setting {settingName} has the value '{Redact(value)}', which is not a Redis URL " +
            $"(redis://[user:password@]host:port/db, or rediss:// for TLS) or a StackExchange.Redis configuration string " +
            $"(host:port,password=…): {reason}. Correct or remove it.");

    [GeneratedRegex(@"^(\w+://[^:@/]*:)[^@/]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"((?:^|,)\s*password\s*=)[^,]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PasswordSetting();
}
