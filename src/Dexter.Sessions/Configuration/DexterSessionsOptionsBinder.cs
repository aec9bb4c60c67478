using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions;

/// <summary>
/// Binds <see cref="DexterSessionsOptions"/> from the configuration section <see cref="DexterSessionsOptions.SectionName"/>, by hand, so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// </summary>
internal static class DexterSessionsOptionsBinder
{
    public static void Bind(DexterSessionsOptions options, IConfiguration? configuration)
    {
        Bind(options, SettingReader.Lookup(configuration));
    }

    public static void Bind(DexterSessionsOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (SettingReader.Read(lookup, Key("MaxContextMessages")) is { } max)
        {
            options.MaxContextMessages = SettingReader.ParseInt(max);
        }

        if (SettingReader.Read(lookup, Key("SummarizeWithLlm")) is { } summarize)
        {
            options.SummarizeWithLlm = SettingReader.ParseBool(summarize);
        }

        if (SettingReader.Read(lookup, Key("UseEmbeddings")) is { } embeddings)
        {
            options.UseEmbeddings = SettingReader.ParseBool(embeddings);
        }

        if (SettingReader.Read(lookup, Key("SessionTtl")) is { } ttl)
        {
            options.SessionTtl = SettingReader.ParseTimeSpan(ttl);
        }
        else if (SettingReader.Read(lookup, Key("SessionTtlSeconds")) is { } ttlSeconds)
        {
            options.SessionTtl = TimeSpan.FromSeconds(SettingReader.ParseInt(ttlSeconds));
        }

        if (SettingReader.Read(lookup, Key("SummarizerTimeout")) is { } timeout)
        {
            options.SummarizerTimeout = SettingReader.ParseTimeSpan(timeout);
        }

        if (SettingReader.Read(lookup, Key("MaxQueryLength")) is { } maxQuery)
        {
            options.MaxQueryLength = SettingReader.ParseInt(maxQuery);
        }

        if (SettingReader.Read(lookup, Key("MaxContextTokens")) is { } maxTokens)
        {
            options.MaxContextTokens = SettingReader.ParseInt(maxTokens);
        }

        if (SettingReader.Read(lookup, Key("ContextMode")) is { } mode)
        {
            options.ContextMode = Enum.TryParse<SessionContextMode>(mode.Value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw SettingReader.Invalid(mode, "Planning or Messages");
        }

        if (SettingReader.Read(lookup, Key("Selection")) is { } selection)
        {
            options.Selection = Enum.TryParse<SessionSelection>(selection.Value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw SettingReader.Invalid(selection, "Relevance, Recent or Embeddings");
        }

        if (SettingReader.Read(lookup, Key("ChatClientKey")) is { } chatClientKey)
        {
            options.ChatClientKey = chatClientKey.Value;
        }

        if (SettingReader.Read(lookup, Key("RollingSummary")) is { } rolling)
        {
            options.RollingSummary = SettingReader.ParseBool(rolling);
        }

        if (SettingReader.Read(lookup, Key("RollingSummaryMaxTokens")) is { } rollingTokens)
        {
            options.RollingSummaryMaxTokens = SettingReader.ParseInt(rollingTokens);
        }

        if (SettingReader.Read(lookup, Key("BackgroundSummaries")) is { } background)
        {
            options.BackgroundSummaries = SettingReader.ParseBool(background);
        }

        if (SettingReader.Read(lookup, Key("SummaryQueueCapacity")) is { } capacity)
        {
            options.SummaryQueueCapacity = SettingReader.ParseInt(capacity);
        }

        if (SettingReader.Read(lookup, Key("EncryptAtRest")) is { } encryptAtRest)
        {
            options.EncryptAtRest = SettingReader.ParseBool(encryptAtRest);
        }

        if (SettingReader.Read(lookup, Key("Instructions")) is { } instructions)
        {
            options.Instructions = instructions.Value;
        }
    }

    private static string Key(string name) => DexterSessionsOptions.SectionName + ":" + name;
}
