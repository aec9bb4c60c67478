namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>The generator, checked on the conversations the evaluations use.</summary>
public class ConversationGeneratorTests
{
    private const int Seed = EvaluatedConversations.Seed;

    private static readonly IReadOnlyList<Conversation> Conversations = EvaluatedConversations.Generate();

    [Test]
    public void Generate_SameSeed_ReturnsTheSameConversations()
    {
        var again = ConversationGenerator.Generate(EvaluatedConversations.Count, Seed);

        Assert.Multiple(() =>
        {
            Assert.That(again.SelectMany(c => c.Turns), Is.EqualTo(Conversations.SelectMany(c => c.Turns)));
            Assert.That(again.SelectMany(c => c.Questions).Select(Describe), Is.EqualTo(Conversations.SelectMany(c => c.Questions).Select(Describe)));
            Assert.That(again.Select(c => c.AskedAt), Is.EqualTo(Conversations.Select(c => c.AskedAt)));
        });
    }

    [Test]
    public void Generate_OtherSeed_ReturnsOtherConversations()
    {
        var other = ConversationGenerator.Generate(1, Seed + 1);

        Assert.That(other[0].Turns.Select(t => t.User), Is.Not.EqualTo(Conversations[0].Turns.Select(t => t.User)));
    }

    [Test]
    public void Generate_FewerConversations_ReturnsTheSameFirstOnes()
    {
        var first = ConversationGenerator.Generate(1, Seed);

        Assert.That(first[0].Turns, Is.EqualTo(Conversations[0].Turns));
    }

    [Test]
    public void Generate_EveryConversation_HasHundredsOfDatedTurnsAndEveryKindOfQuestion()
    {
        foreach (var conversation in Conversations)
        {
            var days = conversation.Turns.Select(t => t.At.Date).Distinct().Count();
            Assert.Multiple(() =>
            {
                Assert.That(conversation.Turns, Has.Count.InRange(250, 350), conversation.Name);
                Assert.That(conversation.Turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, conversation.Turns.Count)), conversation.Name);
                Assert.That(conversation.Turns.Select(t => t.At), Is.Ordered.Ascending, conversation.Name);
                Assert.That(conversation.AskedAt, Is.GreaterThan(conversation.Turns[^1].At), conversation.Name);
                Assert.That(days, Is.InRange(conversation.Turns.Count / 12, conversation.Turns.Count / 3), conversation.Name);
                Assert.That(conversation.Turns.Select(t => t.Answer), Is.All.Not.Empty, conversation.Name);
                Assert.That(Count(conversation, QuestionKind.SingleFact), Is.EqualTo(ConversationGenerator.StaticFactCount), conversation.Name);
                Assert.That(Count(conversation, QuestionKind.When), Is.EqualTo(ConversationGenerator.EventCount), conversation.Name);
                Assert.That(Count(conversation, QuestionKind.LatestValue), Is.EqualTo(ConversationGenerator.ChangingFactCount), conversation.Name);
                Assert.That(Count(conversation, QuestionKind.TwoFacts), Is.EqualTo(ConversationGenerator.TwoFactCount), conversation.Name);
            });
        }
    }

    [Test]
    public void Generate_EveryEvidenceTurn_StatesItsFactInsideALongerMessageAndNoOtherMessageDoes()
    {
        Assert.Multiple(() =>
        {
            foreach (var conversation in Conversations)
            {
                foreach (var question in conversation.Questions)
                {
                    Assert.That(question.Evidence, Has.Count.EqualTo(question.Kind == QuestionKind.TwoFacts ? 2 : 1), question.Text);
                    foreach (var evidence in question.Evidence)
                    {
                        var stating = conversation.Turns.Where(t => ConversationGenerator.States(t.User, evidence.Fact)).Select(t => t.Id);
                        Assert.That(stating, Is.EqualTo(new[] { evidence.TurnId }), $"{conversation.Name}: \"{evidence.Fact}\" for \"{question.Text}\"");
                        Assert.That(conversation.Turn(evidence.TurnId).User.Length, Is.GreaterThan(evidence.Fact.Length + 20), evidence.Fact);
                    }
                }
            }
        });
    }

    [Test]
    public void Generate_LatestValueQuestions_NeedTheLastStatementOnly()
    {
        foreach (var question in Conversations.SelectMany(c => c.Questions).Where(q => q.Kind == QuestionKind.LatestValue))
        {
            Assert.That(question.StaleTurnIds, Has.Count.InRange(1, 2), question.Text);
            Assert.That(question.StaleTurnIds, Is.Ordered.Ascending.And.All.LessThan(question.Evidence[0].TurnId), question.Text);
        }
    }

    [Test]
    public void Generate_WhenQuestions_AreAnsweredByTheDateOfTheirEvidenceTurn()
    {
        foreach (var conversation in Conversations)
        {
            foreach (var question in conversation.Questions.Where(q => q.Kind == QuestionKind.When))
            {
                var turn = conversation.Turn(question.Evidence[0].TurnId);
                Assert.That(question.AnswerDate, Is.EqualTo(DateOnly.FromDateTime(turn.At.UtcDateTime)), question.Text);
                Assert.That(turn.User, Does.Contain("today").Or.Contain("this morning"), question.Text);
            }
        }
    }

    [Test]
    public void Generate_TwoFactQuestions_AreDistinctPairs()
    {
        foreach (var conversation in Conversations)
        {
            var pairs = conversation.Questions.Where(q => q.Kind == QuestionKind.TwoFacts)
                .Select(q => string.Join(',', q.Evidence.Select(e => e.TurnId).Order())).ToList();
            Assert.That(pairs, Is.Unique, conversation.Name);
        }
    }

    private static int Count(Conversation conversation, QuestionKind kind) => conversation.Questions.Count(q => q.Kind == kind);

    private static string Describe(EvaluationQuestion question) =>
        $"{question.Kind} {question.Text} [{string.Join(", ", question.Evidence)}] [{string.Join(", ", question.StaleTurnIds)}] {question.AnswerDate}";
}
