package dev.paws.backend.visits;

/** Counts visits. */
public interface VisitCounter {

	/** Adds one visit and returns the new total. */
	long increment();

}
