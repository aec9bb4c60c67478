using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// The terms <see cref="LexicalMessageSelector"/> compares: the words and numbers of a text, of any script, lower-cased and
/// without accents, split by the word pre-tokenizer of Microsoft.ML.Tokenizers, without a short list of English stop words.
/// </summary>
internal static class LexicalTerms
{
    private static readonly PreTokenizer Words = PreTokenizer.CreateWordOrNonWord();

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "about", "am", "an", "and", "are", "as", "at", "be", "but", "by", "can", "did", "do", "does", "for", "from", "how",
        "i", "if", "in", "is", "it", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "was", "we", "what",
        "when", "where", "which", "who", "with", "you", "your",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Appends the terms of <paramref name="text"/> to <paramref name="terms"/>.</summary>
    public static void Add(string text, List<string> terms)
    {
        var normalized = Normalize(text);
        foreach (var (offset, length) in Words.PreTokenize(normalized))
        {
            var word = normalized.AsSpan(offset, length);
            if (!ContainsLetterOrDigit(word))
            {
                continue;
            }

            var term = word.ToString();
            if (!StopWords.Contains(term))
            {
                terms.Add(term);
            }
        }
    }

    /// <summary>Returns the terms of <paramref name="text"/>, in order, repeated as often as they occur.</summary>
    public static List<string> Of(string text)
    {
        var terms = new List<string>();
        Add(text, terms);
        return terms;
    }

    /// <summary>Lower-cases <paramref name="text"/> and removes its accents (the non-spacing marks of its canonical decomposition).</summary>
    private static string Normalize(string text)
    {
        var decomposed = text.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool ContainsLetterOrDigit(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }
}
